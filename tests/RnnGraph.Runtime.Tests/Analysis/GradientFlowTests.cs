using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Analysis;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Analysis;

/// <summary>What the state probes measure: vanishing gradients in a tanh RNN, none of the loss or the parameter gradients changed.</summary>
public sealed class GradientFlowTests
{
    private const int Steps = 40, Batch = 4, Hidden = 16;

    private static Compilation Compile(string yaml)
    {
        var c = Compilation.Create(new SourceText("model.yaml", yaml));
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        return c;
    }

    private static Compilation Classifier(string cell) => Compile(
        $"model:\n  topology: many-to-one\n  inputs:\n    x: {{ vocab: 10 }}\n  layers:\n    - embed: {{ dim: 8 }}\n" +
        $"    - rnn: {{ cell: {cell}, hidden: {Hidden} }}\n    - dense: {{ units: 2 }}\n");

    private static TrainingBatch TokenBatch(int steps, int batch, int seed, int classes, bool perSequenceTarget, int[]? lengths = null)
    {
        var random = new Random(seed);
        var inputs = Enumerable.Range(0, steps * batch).Select(_ => (float)random.Next(1, 10)).ToArray();
        var targets = Enumerable.Range(0, perSequenceTarget ? batch : steps * batch).Select(_ => (float)random.Next(classes)).ToArray();
        return new TrainingBatch(steps, batch, inputs, targets, lengths);
    }

    [Fact]
    public void A_tanh_rnn_loses_the_gradient_over_time_much_faster_than_an_lstm()
    {
        // Many-to-one: the loss sees only the last step, so dL/dh_0 is what is left after flowing back 39 steps. Both
        // start from PyTorch's initialization; the LSTM's forget gate gets bias 1 (Jozefowicz et al. 2015, Keras's default).
        var batches = new[] { TokenBatch(Steps, Batch, 1, 2, true), TokenBatch(Steps, Batch, 2, 2, true) };
        var rnn = Classifier("rnn_tanh");
        var lstm = Classifier("lstm");
        var lstmParameters = ParameterInitializer.PyTorchDefaults(lstm.Model!, 1);
        for (int i = Hidden; i < 2 * Hidden; i++) lstmParameters["rnn.bias_hh_l0"].Value[i] += 1;

        var rnnFlow = GradientFlow.Measure(rnn, ParameterInitializer.PyTorchDefaults(rnn.Model!, 1), batches, LossKind.CrossEntropy).Series.Single();
        var lstmFlow = GradientFlow.Measure(lstm, lstmParameters, batches, LossKind.CrossEntropy).Series.Single();

        Assert.Equal(Steps, rnnFlow.Norms.Count);
        Assert.True(rnnFlow.FirstOverLast < 1e-6, $"tanh RNN: ||dL/dh_0|| / ||dL/dh_T-1|| = {rnnFlow.FirstOverLast:e2}");
        Assert.True(rnnFlow.FirstOverLast < 1e-3 * lstmFlow.FirstOverLast,
            $"tanh RNN decay {rnnFlow.FirstOverLast:e2} against LSTM decay {lstmFlow.FirstOverLast:e2}");
        // Away from the loss the norm only falls: each step back multiplies by a contracting Jacobian.
        for (int t = 1; t < Steps; t++) Assert.True(rnnFlow.Norms[t - 1] < rnnFlow.Norms[t], $"step {t}");
    }

    [Fact]
    public void Probes_change_neither_the_loss_nor_the_parameter_gradients()
    {
        // A stacked bidirectional LSTM on a padded batch: masks, both directions and the layer above all see the probes.
        var c = Compile("model:\n  inputs:\n    x: { vocab: 10 }\n  layers:\n    - embed: { dim: 5 }\n" +
                        "    - rnn: { cell: lstm, hidden: 6, layers: 2, bidirectional: true }\n    - dense: { units: 10 }\n");
        var batch = TokenBatch(7, 3, 5, 10, false, [7, 4, 2]);
        var plain = new Trainer(c, ParameterInitializer.PyTorchDefaults(c.Model!, 3), Optimizers.Create("sgd"));
        double loss = plain.Step(batch, learningRate: 0);
        var probedTrainer = new Trainer(c, ParameterInitializer.PyTorchDefaults(c.Model!, 3), Optimizers.Create("sgd"));
        var probed = probedTrainer.ProbeStates(batch);

        Assert.Equal(loss, probed.Loss, 6);
        foreach (var p in plain.Parameters)
        {
            var got = probed.Parameters[p.Name];
            for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - p.Grad[i]) <= 1e-6 + 1e-5 * Math.Abs(p.Grad[i]), $"{p.Name}[{i}]: {got[i]} vs {p.Grad[i]}");
        }
        // One probe per stacked layer, direction and step; past each sequence's length its gradient is zero.
        Assert.Equal(2 * 2 * 7, probed.States.Count);
        foreach (var ((name, t), gradient) in probed.States)
        {
            Assert.Equal(3 * 6, gradient.Length);
            for (int b = 0; b < 3; b++)
            {
                var row = gradient.AsSpan(b * 6, 6).ToArray();
                if (t >= batch.Lengths![b]) Assert.All(row, g => Assert.Equal(0f, g));
                else Assert.Contains(row, g => g != 0);
            }
        }
    }

    [Fact]
    public void The_mean_over_batches_is_the_mean_of_each_batchs_norms()
    {
        var c = Compile("model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 4 }\n    - dense: { units: 2 }\n");
        var parameters = ParameterInitializer.PyTorchDefaults(c.Model!, 2);
        var random = new Random(3);
        TrainingBatch Batch(int steps) => new(steps, 2, Enumerable.Range(0, steps * 2 * 3).Select(_ => (float)random.NextDouble()).ToArray(),
                                              Enumerable.Range(0, steps * 2).Select(i => (float)(i % 2)).ToArray());
        var a = Batch(5);
        var b = Batch(3);
        var both = GradientFlow.Measure(c, parameters, [a, b], LossKind.CrossEntropy).Series.Single();
        var first = GradientFlow.Measure(c, parameters, [a], LossKind.CrossEntropy).Series.Single();
        var second = GradientFlow.Measure(c, parameters, [b], LossKind.CrossEntropy).Series.Single();

        Assert.Equal(5, both.Norms.Count);
        for (int t = 0; t < 5; t++)
        {
            double expected = (first.Norms[t] + (t < 3 ? second.Norms[t] : 0)) / 2;
            Assert.Equal(expected, both.Norms[t], 12);
        }
        Assert.Equal("rnn l0", both.Label);
    }
}
