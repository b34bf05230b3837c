using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Loss;

/// <summary>
/// The trainer on one-to-many models (teacher forcing: fed-back inputs are &lt;bos&gt; and the targets shifted by one,
/// the condition enters whole) and one-to-one models (one step, one target per example).
/// </summary>
public sealed class OneToManyTrainingTests
{
    private const int Bos = 2, Eos = 3;

    [Theory]
    [InlineData("first-step", "gru", false)]
    [InlineData("state", "lstm", false)]
    [InlineData("first-step", "lstm", true)]
    [InlineData("state", "gru", true)]
    public void A_conditioned_generator_learns_one_fixed_sequence_per_condition(string condition, string cell, bool embed)
    {
        var c = Compilation.Create(new SourceText("g.yaml",
            $"model:\n  topology: one-to-many\n  condition: {condition}\n  inputs:\n    gender: {{ size: 2 }}\n  layers:\n" +
            (embed ? "    - embed: { dim: 6 }\n" : "") +
            $"    - rnn: {{ cell: {cell}, hidden: 16 }}\n    - dense: {{ units: auto }}\n"), vocabularySize: 9);
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        Assert.Equal(9, c.Model!.FeedbackVocab);
        var trainer = new Trainer(c, ParameterInitializer.PyTorchDefaults(c.Model!, 7), Optimizers.Create("adam"));
        int[] first = [4, 5, 6, 7], second = [8, 6, 4];
        // Two sequences of different lengths: the shorter is padded and its padding must not count.
        var batch = TrainingBatch.TeacherForced([first, second], [1, 0, 0, 1], Bos, Eos);
        Assert.Equal(5, batch.Steps);
        Assert.Equal([5, 4], batch.Lengths!);
        Assert.Equal([2f, 2, 4, 8, 5, 6, 6, 4, 7, 0], batch.Inputs);
        Assert.Equal([4f, 8, 5, 6, 6, 4, 7, Eos, Eos, 0], batch.Targets);

        double start = trainer.Step(batch, 0.02);
        double end = start;
        for (int i = 0; i < 150; i++) end = trainer.Step(batch, 0.02);

        Assert.True(start > 1.5, $"an untrained generator should be near ln 9, got {start}");
        Assert.True(end < 0.05, $"the loss should fall well below its start ({start}), got {end}");
        var sampler = new Sampler(c, trainer.Parameters);
        var random = new Random(1);
        Assert.Equal(first, sampler.SampleConditioned([1f, 0f], 10, 1.0, random, topK: 1));
        Assert.Equal(second, sampler.SampleConditioned([0f, 1f], 10, 1.0, random, topK: 1));
        // Low temperature is all but greedy; a prefix continues as trained.
        Assert.Equal(second, sampler.SampleConditioned([0f, 1f], 10, 0.05, random));
        Assert.Equal(first, sampler.SampleConditioned([1f, 0f], 10, 1.0, random, topK: 1, prefix: [4, 5]));
        Assert.Equal([4, 5], sampler.SampleConditioned([1f, 0f], 2, 1.0, random, topK: 1));
    }

    [Fact]
    public void The_sampler_keeps_its_api_apart_by_topology()
    {
        var c = Compilation.Create(new SourceText("g.yaml",
            "model:\n  topology: one-to-many\n  inputs:\n    x: { size: 2 }\n  layers:\n    - rnn: { cell: gru, hidden: 4 }\n    - dense: { units: auto }\n"));
        var sampler = new Sampler(c, ParameterInitializer.PyTorchDefaults(c.Model!, 1));
        Assert.Contains("SampleConditioned", Assert.Throws<InvalidOperationException>(() => sampler.Sample([], 5, 1.0, new Random(1))).Message);
        Assert.Contains("size 2", Assert.Throws<ArgumentException>(() => sampler.SampleConditioned([1f], 5, 1.0, new Random(1))).Message);

        var bidirectional = Compilation.Create(new SourceText("b.yaml",
            "model:\n  topology: one-to-many\n  inputs:\n    x: { size: 2 }\n  layers:\n    - rnn: { cell: gru, hidden: 4, bidirectional: true }\n    - dense: { units: auto }\n"));
        var both = new Sampler(bidirectional, ParameterInitializer.PyTorchDefaults(bidirectional.Model!, 1));
        Assert.Equal("layer 'rnn' is bidirectional: its reverse direction needs the whole sequence, so it cannot generate one token at a time",
            Assert.Throws<InvalidOperationException>(() => both.SampleConditioned([1f, 0f], 5, 1.0, new Random(1))).Message);

        var lm = Compilation.Create(new SourceText("l.yaml",
            "model:\n  inputs:\n    x: { vocab: auto, one_hot: true }\n  layers:\n    - rnn: { cell: gru, hidden: 4 }\n    - dense: { units: auto }\n"));
        var lmSampler = new Sampler(lm, ParameterInitializer.PyTorchDefaults(lm.Model!, 1));
        Assert.Contains("one-to-many", Assert.Throws<InvalidOperationException>(() => lmSampler.SampleConditioned([1f], 5, 1.0, new Random(1))).Message);
        Assert.True(lmSampler.Sample([], 5, 1.0, new Random(1)).Count <= 5);
    }

    [Fact]
    public void A_one_to_many_batch_without_a_condition_is_rejected()
    {
        var c = Compilation.Create(new SourceText("g.yaml",
            "model:\n  topology: one-to-many\n  inputs:\n    x: { size: 2 }\n  layers:\n    - rnn: { cell: gru, hidden: 4 }\n    - dense: { units: auto }\n"));
        var trainer = new Trainer(c, ParameterInitializer.PyTorchDefaults(c.Model!, 1), Optimizers.Create("sgd"));
        var error = Assert.Throws<ArgumentException>(() => trainer.Step(new TrainingBatch(2, 1, [2, 1], [1, 3]), 0.1));
        Assert.StartsWith("a one-to-many model needs TrainingBatch.Condition [B,C] = 2 floats", error.Message);
    }

    [Theory]
    [InlineData("    - rnn: { cell: gru, hidden: 8, bidirectional: true }\n    - dense: { units: 2 }\n")]
    [InlineData("    - dense: { units: 8 }\n    - rnn: { cell: rnn_tanh, hidden: 8 }\n    - dense: { units: 2 }\n")]
    public void A_one_to_one_classifier_learns_a_separable_task(string layers)
    {
        var c = Compilation.Create(new SourceText("c.yaml", "model:\n  topology: one-to-one\n  inputs:\n    x: { size: 2 }\n  layers:\n" + layers));
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        var trainer = new Trainer(c, ParameterInitializer.PyTorchDefaults(c.Model!, 3), Optimizers.Create("adam"));
        // Class 1 when the first feature is larger than the second.
        var random = new Random(4);
        const int B = 32;
        var x = new float[B * 2];
        var y = new float[B];
        for (int b = 0; b < B; b++)
        {
            x[2 * b] = (float)(random.NextDouble() * 2 - 1);
            x[2 * b + 1] = (float)(random.NextDouble() * 2 - 1);
            if (Math.Abs(x[2 * b] - x[2 * b + 1]) < 0.2f) x[2 * b] += x[2 * b] > x[2 * b + 1] ? 0.3f : -0.3f;
            y[b] = x[2 * b] > x[2 * b + 1] ? 1 : 0;
        }
        var batch = new TrainingBatch(1, B, x, y);

        double first = trainer.Step(batch, 0.05);
        double last = first;
        for (int i = 0; i < 150; i++) last = trainer.Step(batch, 0.05);
        double loss = trainer.Loss(batch);
        var weights = trainer.Parameters.ToDictionary(p => p.Name, p => new HostArray<float>(p.Shape, p.Value));
        var outputs = ModelEvaluator<float>.Evaluate(c, weights, new Dictionary<string, HostArray<float>> { ["x"] = new([B, 2], x) })["y"].Data;

        Assert.True(first > 0.5, $"an untrained classifier should be near ln 2, got {first}");
        Assert.True(last < 0.1, $"the loss should fall on a separable task, got {last}");
        Assert.True(loss < 0.1, $"validation loss {loss}");
        for (int b = 0; b < B; b++) Assert.Equal(y[b] == 1, outputs[2 * b + 1] > outputs[2 * b]);
        Assert.Throws<ArgumentException>(() => trainer.Step(new TrainingBatch(2, B, new float[2 * B * 2], new float[2 * B]), 0.05));
    }
}
