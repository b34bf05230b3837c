using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>Length buckets: few lengths, little padding, and padding that changes neither the loss nor the update.</summary>
public sealed class LengthBucketsTests
{
    [Fact]
    public void Buckets_pad_less_than_a_quarter_and_keep_short_lengths()
    {
        for (int t = 1; t <= 8; t++) Assert.Equal(t, LengthBuckets.Length(t));
        for (int t = 9; t <= 5000; t++)
        {
            int bucket = LengthBuckets.Length(t);
            Assert.InRange(bucket - t, 0, (t - 1) / 4);
            Assert.Equal(bucket, LengthBuckets.Length(bucket)); // a bucket is its own bucket
        }
        // Four lengths per octave above 8: 1..256 needs 8 + 4 * 5 graphs instead of 256.
        Assert.Equal(28, Enumerable.Range(1, 256).Select(LengthBuckets.Length).Distinct().Count());
    }

    [Fact]
    public void An_unmasked_batch_is_not_padded()
    {
        var batch = new TrainingBatch(11, 1, new float[11], new float[11]);
        Assert.Same(batch, LengthBuckets.Pad(batch, perStepTargets: true));
    }

    [Theory]
    [InlineData("many-to-many", "gru", true)]
    [InlineData("many-to-one", "lstm", true)]
    [InlineData("many-to-one", "gru", false)]
    public void A_padded_batch_gives_the_loss_and_the_update_of_the_unpadded_one(string topology, string cell, bool bidirectional)
    {
        string spec = $"model:\n  topology: {topology}\n  inputs:\n    x: {{ vocab: 7 }}\n  layers:\n    - embed: {{ dim: 3 }}\n" +
                      $"    - rnn: {{ cell: {cell}, hidden: 4, bidirectional: {(bidirectional ? "true" : "false")} }}\n    - dense: {{ units: 5 }}\n";
        var compilation = Compilation.Create(new SourceText("b.yaml", spec));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        bool perStep = topology == "many-to-many";
        const int T = 11, B = 3;
        int[] lengths = [11, 7, 2];
        var random = new Random(3);
        var inputs = new float[T * B];
        var targets = new float[perStep ? T * B : B];
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
                if (t < lengths[b]) inputs[t * B + b] = random.Next(1, 7);
        for (int i = 0; i < targets.Length; i++) targets[i] = random.Next(0, 5);
        var batch = new TrainingBatch(T, B, inputs, targets, lengths);
        var padded = LengthBuckets.Pad(batch, perStep);
        Assert.Equal(12, padded.Steps);

        (Trainer Trainer, ParameterSet Parameters) Fresh()
        {
            var r = new Random(9);
            var parameters = new ParameterSet(compilation.Model!.Parameters.Select(p =>
                new Parameter(p.Name, p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, c) => a * c)).Select(_ => (float)r.NextDouble() - 0.5f).ToArray())));
            return (new Trainer(compilation, parameters, Optimizers.Create("sgd"), new TrainerOptions(LossKind.CrossEntropy)), parameters);
        }
        var (plain, plainParameters) = Fresh();
        var (bucketed, bucketedParameters) = Fresh();

        Assert.Equal(plain.Loss(batch), bucketed.Loss(padded), 6);
        double before = plain.Step(batch, 0.5);
        Assert.Equal(before, bucketed.Step(padded, 0.5), 6);
        foreach (var p in plainParameters)
        {
            var q = bucketedParameters[p.Name];
            for (int i = 0; i < p.Value.Length; i++) Assert.Equal(p.Value[i], q.Value[i], 6);
        }
    }
}
