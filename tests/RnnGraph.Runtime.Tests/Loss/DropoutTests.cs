using RnnGraph.Compiler;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Loss;

/// <summary>Dropout exists only in training graphs, is drawn repeatably, and changes what a step computes.</summary>
public sealed class DropoutTests
{
    private static Compilation Spec(string dropout) => Compilation.Create(new SourceText("d.yaml",
        $"model:\n  inputs:\n    x: {{ vocab: 6 }}\n  layers:\n    - embed: {{ dim: 3 }}\n    - rnn: {{ cell: lstm, hidden: 4, layers: 2{dropout} }}\n    - dense: {{ units: 6 }}\n"));

    [Fact]
    public void Training_graphs_get_dropout_masks_and_evaluation_graphs_do_not()
    {
        var c = Spec(", dropout: 0.3, recurrent_dropout: 0.2");
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        var training = c.Unroll(new UnrollOptions(3, Training: true));
        var masks = training.Inputs.Where(n => n.Attributes.I0 == (int)InputKind.Dropout).ToList();
        // Between the two stacked layers at every step, plus one recurrent mask per stacked layer.
        Assert.Equal(3, masks.Count(m => m.Attributes.Name == "rnn.dropout_l0"));
        Assert.Equal(["rnn.recurrent_dropout_l0", "rnn.recurrent_dropout_l1"], masks.Where(m => m.Attributes.Index == -1).Select(m => m.Attributes.Name).Order());
        Assert.All(masks.Where(m => m.Attributes.Name == "rnn.dropout_l0"), m => Assert.Equal(0.3, m.Attributes.Scalar));
        Assert.DoesNotContain(c.Unroll(new UnrollOptions(3)).Inputs, n => n.Attributes.I0 == (int)InputKind.Dropout);
    }

    private static double[] TrainTwoSteps(Compilation c, int seed)
    {
        var random = new Random(4);
        var parameters = new ParameterSet(c.Model!.Parameters.Select(p =>
            new Parameter(p.Name, p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())));
        var trainer = new Trainer(c, parameters, Optimizers.Create("sgd"), new TrainerOptions(Seed: seed));
        var batch = new TrainingBatch(3, 2, [1, 2, 3, 4, 5, 1], [2, 3, 4, 5, 1, 2]);
        return [trainer.Step(batch, 0.1), trainer.Step(batch, 0.1)];
    }

    [Fact]
    public void Masks_are_repeatable_for_a_seed_and_change_the_loss()
    {
        var withDropout = Spec(", dropout: 0.5, recurrent_dropout: 0.5");
        Assert.Equal(TrainTwoSteps(withDropout, 7), TrainTwoSteps(withDropout, 7));
        Assert.NotEqual(TrainTwoSteps(withDropout, 7), TrainTwoSteps(withDropout, 8));
        Assert.NotEqual(TrainTwoSteps(Spec(""), 7), TrainTwoSteps(withDropout, 7));
    }

    [Fact]
    public void Validation_loss_uses_no_dropout()
    {
        var c = Spec(", dropout: 0.5");
        var random = new Random(4);
        var parameters = new ParameterSet(c.Model!.Parameters.Select(p =>
            new Parameter(p.Name, p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())));
        var batch = new TrainingBatch(3, 2, [1, 2, 3, 4, 5, 1], [2, 3, 4, 5, 1, 2]);
        var a = new Trainer(c, parameters, Optimizers.Create("sgd"), new TrainerOptions(Seed: 1)).Loss(batch);
        var b = new Trainer(c, parameters, Optimizers.Create("sgd"), new TrainerOptions(Seed: 2)).Loss(batch);
        var plain = new Trainer(Spec(""), parameters, Optimizers.Create("sgd")).Loss(batch);
        Assert.Equal(plain, a);
        Assert.Equal(plain, b);
    }
}
