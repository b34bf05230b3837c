using System.Text.Json;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Analysis;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;
using RnnGraph.TestSupport;
using Xunit.Abstractions;

namespace RnnGraph.Runtime.Tests.Analysis;

/// <summary>
/// ||dL/dh_t|| per step against PyTorch (tests/golden/gradflow, scripts/golden/generate_gradflow_golden.py): the
/// recurrent layer unrolled with nn.*Cell in a Python loop in float64, h_t.retain_grad() for the total derivative.
/// </summary>
public sealed class GradientFlowGoldenTests(ITestOutputHelper output)
{
    public const double Tolerance = 1e-4;

    public static TheoryData<string> Cases() =>
        new(Directory.GetDirectories(Path.Combine(RepoPaths.Golden, "gradflow")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Fact]
    public void Every_case_is_found() => Assert.Equal(5, Cases().Count);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Norms_per_step_match_pytorch(string name)
    {
        var (result, expected) = Measure(name);
        foreach (var series in result.Series)
        {
            var reference = expected[$"norm.{series.Layer}.l{series.StackIndex}{(series.Reverse ? ".reverse" : "")}"].ToDoubleArray();
            Assert.Equal(reference.Length, series.Norms.Count);
            double worst = WorstRelativeError(series.Norms, reference);
            output.WriteLine($"{name} {series.Label}: worst relative error {worst:e2}");
            Assert.True(worst <= Tolerance, $"{name} {series.Label}: worst relative error {worst:e2}");
        }
        Assert.Equal(expected.Keys.Count(k => k.StartsWith("norm.", StringComparison.Ordinal)), result.Series.Count);
    }

    /// <summary>|got - ref| / |ref| per step; a zero reference (a padded step) must be met exactly.</summary>
    public static double WorstRelativeError(IReadOnlyList<double> got, double[] reference)
    {
        double worst = 0;
        for (int t = 0; t < reference.Length; t++)
            worst = Math.Max(worst, reference[t] == 0 ? (got[t] == 0 ? 0 : double.PositiveInfinity) : Math.Abs(got[t] - reference[t]) / Math.Abs(reference[t]));
        return worst;
    }

    public static (GradientFlowResult Result, IReadOnlyDictionary<string, TensorValue> Expected) Measure(string name)
    {
        string dir = Path.Combine(RepoPaths.Golden, "gradflow", name);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "case.json")));
        int count = config.RootElement.GetProperty("batches").GetInt32();
        var compilation = Compilation.Create(SourceText.FromFile(Path.Combine(dir, "spec.yaml")));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        var parameters = ParameterSet.FromTensors(SafeTensors.Read(Path.Combine(dir, "weights.safetensors")));
        var tensors = SafeTensors.Read(Path.Combine(dir, "batches.safetensors"));
        var batches = new List<TrainingBatch>();
        for (int k = 0; k < count; k++)
        {
            var x = tensors[$"x_{k}"];
            var inputs = x.DType == DType.I64 ? x.ToInt64Array().Select(v => (float)v).ToArray() : x.ToDoubleArray().Select(v => (float)v).ToArray();
            var targets = tensors[$"target_{k}"].ToInt64Array().Select(v => (float)v).ToArray();
            int[]? lengths = tensors.TryGetValue($"lengths_{k}", out var l) ? l.ToInt64Array().Select(v => (int)v).ToArray() : null;
            batches.Add(new TrainingBatch(x.Shape[0], x.Shape[1], inputs, targets, lengths));
        }
        var expected = SafeTensors.Read(Path.Combine(dir, "expected.safetensors"));
        return (GradientFlow.Measure(compilation, parameters, batches, LossKind.CrossEntropy), expected);
    }
}
