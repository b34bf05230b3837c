using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Loss;

/// <summary>Truncated BPTT carries states exactly: two windows with the state passed on end where one long window ends.</summary>
public sealed class TrainerStateCarryTests
{
    [Fact]
    public void Carried_states_equal_the_states_of_one_unbroken_sequence()
    {
        var compilation = Compilation.Create(new SourceText("c.yaml",
            "model:\n  inputs:\n    x: { vocab: 6 }\n  layers:\n    - embed: { dim: 3 }\n    - rnn: { cell: lstm, hidden: 4, layers: 2 }\n    - dense: { units: 6 }\n"));
        var random = new Random(5);
        var parameters = new ParameterSet(compilation.Model!.Parameters.Select(p =>
            new Parameter(p.Name, p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())));
        var trainer = new Trainer(compilation, parameters, Optimizers.Create("sgd"));
        const int T = 3, B = 2;
        float[] ids = [1, 2, 3, 4, 5, 1, 2, 2, 3, 3, 4, 5];          // [2T, B] time-major
        var zeros = new Dictionary<string, float[]> { ["h0"] = new float[2 * B * 4], ["c0"] = new float[2 * B * 4] };

        trainer.Loss(new TrainingBatch(T, B, ids[..(T * B)], new float[T * B], null, zeros));
        var carried = trainer.FinalStates.ToDictionary(p => p.Key, p => p.Value);
        trainer.Loss(new TrainingBatch(T, B, ids[(T * B)..], new float[T * B], null, carried));

        var whole = ModelEvaluator<float>.Evaluate(compilation,
            parameters.ToDictionary(p => p.Name, p => new HostArray<float>(p.Shape, p.Value)),
            new Dictionary<string, HostArray<float>> { ["x"] = new([2 * T, B], ids) });
        Assert.Equal(whole["h_n"].Data, trainer.FinalStates["h0"]);
        Assert.Equal(whole["c_n"].Data, trainer.FinalStates["c0"]);
        Assert.NotEqual(carried["h0"], trainer.FinalStates["h0"]);
    }
}
