using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>
/// A training step checks its loss and gradients before the update: on a NaN or an infinity it throws
/// <see cref="NumericFaultException"/> naming where the first non-finite value appeared, and leaves the weights alone.
/// </summary>
public sealed class NumericFaultTests
{
    private static (Trainer Trainer, ParameterSet Parameters) Train(string cell, string optimizer = "sgd", double? clipNorm = null)
    {
        var compilation = Compilation.Create(new SourceText("f.yaml",
            $"model:\n  inputs:\n    x: {{ size: 2 }}\n  layers:\n    - rnn: {{ cell: {cell}, hidden: 3, layers: 2 }}\n    - dense: {{ units: 1 }}\n"));
        Assert.False(compilation.HasErrors);
        var parameters = ParameterInitializer.PyTorchDefaults(compilation.Model!, seed: 1);
        return (new Trainer(compilation, parameters, Optimizers.Create(optimizer), new TrainerOptions(LossKind.MeanSquaredError, ClipNorm: clipNorm)), parameters);
    }

    private static TrainingBatch Batch(int steps, int batch, Action<float[]>? change = null)
    {
        var random = new Random(3);
        var inputs = Enumerable.Range(0, steps * batch * 2).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        change?.Invoke(inputs);
        return new TrainingBatch(steps, batch, inputs, new float[steps * batch]);
    }

    [Theory]
    [InlineData("lstm", null)]
    [InlineData("gru", 1.0)]
    public void An_infinite_input_is_named_with_its_step_and_the_weights_stay_as_they_were(string cell, double? clipNorm)
    {
        var (trainer, parameters) = Train(cell, "adam", clipNorm);
        trainer.Step(Batch(6, 2), 0.01);
        var before = parameters.Select(p => p.Value.ToArray()).ToList();
        // [T,B,I] time-major: step 3, sequence 1, feature 0.
        var batch = Batch(6, 2, x => x[(3 * 2 + 1) * 2] = float.PositiveInfinity);

        var fault = Assert.Throws<NumericFaultException>(() => trainer.Step(batch, 0.01));

        // Gates saturate on +Inf, so the loss stays finite; the weight gradients multiply it by a zero derivative (NaN).
        Assert.Equal("the loss is finite but the gradients are not; the first non-finite value (+Inf) comes from the input 'x' at step t=3 (f.yaml(3,5))", fault.Message);
        Assert.True(double.IsFinite(fault.Loss));
        Assert.Equal("input", fault.First!.Node.Op.Name);
        Assert.Equal(1 * 2 + 0, fault.First.Element); // row b=1 of [B,I], feature 0
        Assert.All(parameters.Select((p, i) => p.Value.AsSpan().SequenceEqual(before[i])), Assert.True);
        // The trainer is still usable: the next finite batch trains.
        Assert.True(double.IsFinite(trainer.Step(Batch(6, 2), 0.01)));
    }

    [Fact]
    public void A_weight_that_is_not_finite_is_named()
    {
        var (trainer, parameters) = Train("rnn_tanh");
        parameters.First(p => p.Name == "rnn.weight_hh_l1").Value[4] = float.NaN;

        var fault = Assert.Throws<NumericFaultException>(() => trainer.Step(Batch(4, 2), 0.1));

        Assert.Equal("the loss is NaN and the gradients are not finite; the first non-finite value (NaN) comes from the weight 'rnn.weight_hh_l1' of layer 'rnn' (l1, forward direction) (f.yaml(5,7))", fault.Message);
        Assert.Equal(4, fault.First!.Element);
    }
}
