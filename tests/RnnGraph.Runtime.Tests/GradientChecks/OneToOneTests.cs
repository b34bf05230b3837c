using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;

namespace RnnGraph.Runtime.Tests.GradientChecks;

/// <summary>
/// One-to-one: one step per example, no time axis. Gradients against finite differences, the eval shapes
/// (x [B,I] or [B] ids, y and dy [B,O], grad.x [B,I]) and the errors for a time axis or lengths.
/// </summary>
public sealed class OneToOneTests
{
    private static Compilation Compile(string model) => Compilation.Create(new SourceText("o.yaml", "model:\n  topology: one-to-one\n" + model));

    public static TheoryData<string> Models() => new()
    {
        "  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 4, bidirectional: true }\n    - dense: { units: 2, activation: softmax }\n",
        "  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: lstm, hidden: 3, layers: 2, bidirectional: true, merge: sum }\n    - dense: { units: 2 }\n",
        "  inputs:\n    x: { vocab: 5 }\n  layers:\n    - embed: { dim: 3 }\n    - rnn: { cell: lstm, hidden: 4 }\n    - dense: { units: 3 }\n",
        "  inputs:\n    x: { vocab: 5, one_hot: true }\n  layers:\n    - rnn: { cell: rnn_tanh, hidden: 4, layers: 2 }\n",
        "  inputs:\n    x: { size: 3 }\n  layers:\n    - dense: { units: 4 }\n    - dense: { units: 2 }\n",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void One_to_one_models_pass_the_gradient_check(string model)
    {
        var c = Compile(model);
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        var report = GradientChecker.Run(c, new GradientCheckOptions(Batch: 3, MaxElementsPerTensor: 16));
        Assert.NotEmpty(report.Entries);
        Assert.True(report.Passed, string.Join("; ", report.Entries.Where(e => e.WorstRelativeError > report.Tolerance).Select(e => $"{e.Name} {e.WorstRelativeError:e2}")));
    }

    private static Dictionary<string, HostArray<double>> Weights(Compilation c, int seed = 5)
    {
        var random = new Random(seed);
        return c.Model!.Parameters.ToDictionary(p => p.Name, p =>
            new HostArray<double>(p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => random.NextDouble() - 0.5).ToArray()));
    }

    [Fact]
    public void Eval_takes_x_without_a_time_axis_and_equals_one_step_of_the_many_to_many_model()
    {
        const string layers = "  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 4, bidirectional: true }\n    - dense: { units: 2 }\n";
        var one = Compile(layers);
        var many = Compilation.Create(new SourceText("m.yaml", "model:\n" + layers));
        var weights = Weights(one);
        double[] x = [0.1, -0.4, 0.9, 0.5, 0.2, -0.7];
        var outputs = ModelEvaluator<double>.Evaluate(one, weights, new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([2, 3], x),
            ["dy"] = new([2, 2], [1, 0, 0, 1]),
        });
        var reference = ModelEvaluator<double>.Evaluate(many, weights, new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([1, 2, 3], x),
            ["dy"] = new([1, 2, 2], [1, 0, 0, 1]),
        });

        Assert.Equal([2, 2], outputs["y"].Shape);
        Assert.Equal([2, 3], outputs["grad.x"].Shape);
        Assert.Equal([2, 2, 4], outputs["h_n"].Shape);
        for (int i = 0; i < 4; i++) Assert.Equal(reference["y"].Data[i], outputs["y"].Data[i], 12);
        for (int i = 0; i < 6; i++) Assert.Equal(reference["grad.x"].Data[i], outputs["grad.x"].Data[i], 12);
        for (int i = 0; i < 16; i++) Assert.Equal(reference["h_n"].Data[i], outputs["h_n"].Data[i], 12);
    }

    [Fact]
    public void Eval_rejects_a_time_axis_and_lengths_with_clear_messages()
    {
        var c = Compile("  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 4 }\n");
        var weights = Weights(c);
        var timeAxis = Assert.Throws<EvalException>(() => ModelEvaluator<double>.Evaluate(c, weights,
            new Dictionary<string, HostArray<double>> { ["x"] = new([1, 2, 3], new double[6]) }));
        Assert.Equal("inputs: tensor 'x' has shape [1,2,3] but the one-to-one spec needs [B,3] with B >= 1 (no time axis)", timeAxis.Message);
        var lengths = Assert.Throws<EvalException>(() => ModelEvaluator<double>.Evaluate(c, weights,
            new Dictionary<string, HostArray<double>> { ["x"] = new([2, 3], new double[6]), ["lengths"] = new([2], [1, 1]) }));
        Assert.Equal("inputs: unexpected tensor 'lengths': a one-to-one model runs one step per example, so there are no lengths; remove it", lengths.Message);
        var dy = Assert.Throws<EvalException>(() => ModelEvaluator<double>.Evaluate(c, weights,
            new Dictionary<string, HostArray<double>> { ["x"] = new([2, 3], new double[6]), ["dy"] = new([1, 2, 4], new double[8]) }));
        Assert.Equal("inputs: tensor 'dy' has shape [1,2,4] but must be [2,4]", dy.Message);
    }

    [Fact]
    public void Token_ids_are_one_per_example()
    {
        var c = Compile("  inputs:\n    x: { vocab: 5 }\n  layers:\n    - embed: { dim: 3 }\n    - dense: { units: 2 }\n");
        var weights = Weights(c);
        var y = ModelEvaluator<double>.Evaluate(c, weights, new Dictionary<string, HostArray<double>> { ["x"] = new([3], [4, 0, 4]) })["y"];
        Assert.Equal([3, 2], y.Shape);
        // Rows 0 and 2 embed the same token.
        Assert.Equal(y.Data[0], y.Data[4], 12);
        Assert.Equal(y.Data[1], y.Data[5], 12);
        Assert.NotEqual(y.Data[0], y.Data[2]);
    }
}
