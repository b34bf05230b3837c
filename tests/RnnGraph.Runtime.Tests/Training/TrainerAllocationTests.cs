using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>
/// Steady state of training: once a batch shape's executor is planned and the optimizer's state exists, a whole
/// training step (feed, forward, backward, gradients out, clipping, update) and a validation loss allocate nothing.
/// </summary>
public sealed class TrainerAllocationTests
{
    public static TheoryData<string, string> CellsAndOptimizers() => new() { { "lstm", "sgd" }, { "gru", "adam" }, { "rnn_tanh", "rmsprop" } };

    [Theory]
    [MemberData(nameof(CellsAndOptimizers))]
    public void A_training_step_allocates_nothing_in_steady_state(string cell, string optimizer)
    {
        var compilation = Compilation.Create(new SourceText("a.yaml",
            $"model:\n  inputs:\n    x: {{ size: 3 }}\n  layers:\n    - rnn: {{ cell: {cell}, hidden: 4, layers: 2, bidirectional: true }}\n    - dense: {{ units: 2 }}\n"));
        Assert.False(compilation.HasErrors);
        var parameters = ParameterInitializer.PyTorchDefaults(compilation.Model!, seed: 1);
        var trainer = new Trainer(compilation, parameters, Optimizers.Create(optimizer), new TrainerOptions(LossKind.MeanSquaredError, ClipNorm: 1.0));
        var random = new Random(2);
        var inputs = Enumerable.Range(0, 5 * 3 * 3).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var targets = Enumerable.Range(0, 5 * 3 * 2).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var batch = new TrainingBatch(5, 3, inputs, targets, [5, 3, 4]);

        for (int i = 0; i < 3; i++)
        {
            trainer.Step(batch, 0.01);
            trainer.Loss(batch);
        }
        var weights = parameters.Select(p => p.Value.ToArray()).ToList();
        double loss = double.NaN, validation = double.NaN;
        long allocated = Allocations.LeastOf(5, () =>
        {
            loss = trainer.Step(batch, 0.01);
            validation = trainer.Loss(batch);
        });

        Assert.Equal(0, allocated);
        Assert.True(double.IsFinite(loss) && double.IsFinite(validation));
        Assert.Contains(parameters.Select((p, i) => !p.Value.AsSpan().SequenceEqual(weights[i])), changed => changed);
    }
}
