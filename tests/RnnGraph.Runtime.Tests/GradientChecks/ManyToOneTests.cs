using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;

namespace RnnGraph.Runtime.Tests.GradientChecks;

/// <summary>
/// Many-to-one pooling (last, mean, max, attention): gradients against finite differences, and with
/// <c>lengths</c> a padded sequence pools exactly as the same sequence cut to its length.
/// </summary>
public sealed class ManyToOneTests
{
    private static Compilation Spec(string pooling, bool bidirectional) => Compilation.Create(new SourceText("p.yaml",
        $"model:\n  topology: many-to-one\n  pooling: {pooling}\n  inputs:\n    x: {{ size: 3 }}\n  layers:\n" +
        $"    - rnn: {{ cell: gru, hidden: 4, bidirectional: {(bidirectional ? "true" : "false")} }}\n    - dense: {{ units: 2, activation: softmax }}\n"));

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var pooling in new[] { "last", "mean", "max", "attention" })
            foreach (bool bidirectional in new[] { false, true })
                data.Add(pooling, bidirectional);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pooled_models_pass_the_gradient_check(string pooling, bool bidirectional)
    {
        var c = Spec(pooling, bidirectional);
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        var report = GradientChecker.Run(c, new GradientCheckOptions(Steps: 4, MaxElementsPerTensor: 12));
        Assert.True(report.Passed, string.Join("; ", report.Entries.Where(e => e.WorstRelativeError > report.Tolerance).Select(e => $"{e.Name} {e.WorstRelativeError:e2}")));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_padded_sequence_pools_like_the_same_sequence_cut_to_its_length(string pooling, bool bidirectional)
    {
        var c = Spec(pooling, bidirectional);
        var random = new Random(3);
        var weights = c.Model!.Parameters.ToDictionary(p => p.Name, p =>
            new HostArray<double>(p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => random.NextDouble() - 0.5).ToArray()));
        var x = Enumerable.Range(0, 5 * 2 * 3).Select(i => Math.Sin(0.7 * i)).ToArray();   // [T=5, B=2, 3]

        var padded = ModelEvaluator<double>.Evaluate(c, weights, new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([5, 2, 3], x),
            ["lengths"] = new([2], [5, 3]),
        })["y"];
        var cut = new double[3 * 3];
        for (int t = 0; t < 3; t++) Array.Copy(x, (t * 2 + 1) * 3, cut, t * 3, 3);
        var alone = ModelEvaluator<double>.Evaluate(c, weights, new Dictionary<string, HostArray<double>> { ["x"] = new([3, 1, 3], cut) })["y"];

        Assert.Equal([2, 2], padded.Shape);
        Assert.Equal(alone.Data[0], padded.Data[2], 10);
        Assert.Equal(alone.Data[1], padded.Data[3], 10);
    }

    [Fact]
    public void Pooling_needs_many_to_one_and_many_to_one_needs_a_recurrent_layer()
    {
        var pooling = Compilation.Create(new SourceText("p.yaml", "model:\n  pooling: max\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 4 }\n"));
        Assert.Equal("p.yaml(2,12): error RG0229: 'pooling' applies to 'topology: many-to-one'; add it or remove 'pooling'", Assert.Single(pooling.Diagnostics).ToString());
        var noRnn = Compilation.Create(new SourceText("p.yaml", "model:\n  topology: many-to-one\n  inputs:\n    x: { size: 3 }\n  layers:\n    - dense: { units: 2 }\n"));
        Assert.Equal("p.yaml(2,13): error RG0230: a many-to-one model pools a recurrent layer over time, but this model has no rnn layer", Assert.Single(noRnn.Diagnostics).ToString());
    }
}
