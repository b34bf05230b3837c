using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;

namespace RnnGraph.Runtime.Tests.GradientChecks;

/// <summary>Bidirectional merge modes: sum/mul/ave against the concatenated directions, and their gradients against finite differences.</summary>
public sealed class MergeModeTests
{
    private static Compilation Spec(string merge, int layers = 1) => Compilation.Create(new SourceText("m.yaml",
        $"model:\n  inputs:\n    x: {{ size: 3 }}\n  layers:\n    - rnn: {{ cell: gru, hidden: 4, layers: {layers}, bidirectional: true, merge: {merge} }}\n"));

    [Theory]
    [InlineData("sum")]
    [InlineData("mul")]
    [InlineData("ave")]
    public void A_merged_output_combines_the_two_halves_of_the_concatenated_one(string merge)
    {
        var concat = Spec("concat");
        var merged = Spec(merge);
        Assert.False(merged.HasErrors, string.Join("\n", merged.Diagnostics));
        Assert.Equal(4, merged.Model!.Layers[0].OutputSize);
        var random = new Random(2);
        var weights = concat.Model!.Parameters.ToDictionary(p => p.Name, p =>
            new HostArray<double>(p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => random.NextDouble() - 0.5).ToArray()));
        var inputs = new Dictionary<string, HostArray<double>> { ["x"] = new([5, 2, 3], Enumerable.Range(0, 30).Select(i => Math.Cos(i)).ToArray()) };

        var both = ModelEvaluator<double>.Evaluate(concat, weights, inputs)["y"].Data;   // [5,2,8]
        var y = ModelEvaluator<double>.Evaluate(merged, weights, inputs)["y"].Data;      // [5,2,4]
        for (int row = 0; row < 10; row++)
            for (int j = 0; j < 4; j++)
            {
                double f = both[row * 8 + j], r = both[row * 8 + 4 + j];
                double expected = merge switch { "sum" => f + r, "mul" => f * r, _ => (f + r) / 2 };
                Assert.Equal(expected, y[row * 4 + j], 12);
            }
    }

    [Theory]
    [InlineData("sum", 2)]
    [InlineData("mul", 2)]
    [InlineData("ave", 1)]
    public void Merged_stacks_pass_the_gradient_check(string merge, int layers)
    {
        var report = GradientChecker.Run(Spec(merge, layers), new GradientCheckOptions(Steps: 3, MaxElementsPerTensor: 12));
        Assert.True(report.Passed, $"worst relative error {report.WorstRelativeError:e2}");
    }

    [Fact]
    public void Merge_needs_two_directions()
    {
        var c = Compilation.Create(new SourceText("m.yaml", "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 4, merge: sum }\n"));
        Assert.Equal("m.yaml(5,43): error RG0228: 'merge' combines the two directions of a bidirectional layer; add 'bidirectional: true' or remove it",
            Assert.Single(c.Diagnostics).ToString());
    }
}
