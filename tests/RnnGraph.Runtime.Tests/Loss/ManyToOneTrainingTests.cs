using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Loss;

/// <summary>The trainer on a many-to-one classifier: one target per sequence, padding ignored, and it learns a separable task.</summary>
public sealed class ManyToOneTrainingTests
{
    [Fact]
    public void A_pooled_classifier_learns_which_token_a_sequence_contains()
    {
        var c = Compilation.Create(new SourceText("c.yaml",
            "model:\n  topology: many-to-one\n  pooling: max\n  inputs:\n    x: { vocab: 6 }\n  layers:\n    - embed: { dim: 4 }\n" +
            "    - rnn: { cell: gru, hidden: 8, bidirectional: true }\n    - dense: { units: 2 }\n"));
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        var trainer = new Trainer(c, ParameterInitializer.PyTorchDefaults(c.Model!, 3), Optimizers.Create("adam"));
        // Class 1 when token 5 occurs in the valid part of a sequence. Columns are sequences (time-major [T=4, B=4]):
        // [5 4 4 4] → 1, [4 4 5] → 1, [4 4] → 0, [4] → 0 — the last has a 5 in its padding, which must not count.
        float[] x = [5, 4, 4, 4,
                     4, 4, 4, 0,
                     4, 5, 0, 5,
                     4, 0, 0, 0];
        var batch = new TrainingBatch(4, 4, x, [1, 1, 0, 0], [4, 3, 2, 1]);

        double first = trainer.Step(batch, 0.05);
        double last = first;
        for (int i = 0; i < 60; i++) last = trainer.Step(batch, 0.05);

        Assert.True(first > 0.5, $"an untrained classifier should be near ln 2, got {first}");
        Assert.True(last < 0.05, $"the loss should fall on a separable task, got {last}");
    }
}
