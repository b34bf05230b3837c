using System.Text.Json;
using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.Parity;

/// <summary>
/// PyTorch parity: every case under tests/golden/rnn (scripts/golden/generate_rnn_golden.py) and
/// tests/golden/packed (variable lengths as PyTorch's packed sequences, scripts/golden/generate_packed_golden.py),
/// all float64 PyTorch runs, is evaluated here in float32 and every output and gradient must satisfy
/// |got - ref| &lt;= 1e-5 + 1e-4 * max|ref| (DESIGN §6).
/// </summary>
public sealed class GoldenParityTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var suite in new[] { "rnn", "packed" })
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Golden, suite, "manifest.json")));
            foreach (var c in manifest.RootElement.GetProperty("cases").EnumerateArray()) data.Add($"{suite}/{c.GetProperty("name").GetString()}");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_float64_reference(string name)
    {
        string dir = Path.Combine(RepoPaths.Golden, name);
        string specPath = Path.Combine(dir, "spec.yaml");
        var compilation = Compilation.Create(new SourceText(specPath, File.ReadAllText(specPath)));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));

        var outputs = TensorEvaluator.Evaluate(compilation,
            SafeTensors.Read(Path.Combine(dir, "weights.safetensors")),
            SafeTensors.Read(Path.Combine(dir, "inputs.safetensors")));
        var expected = SafeTensors.Read(Path.Combine(dir, "expected.safetensors"));

        Assert.NotEmpty(expected);
        var failures = TensorComparison.CompareAll(outputs, expected).Where(c => !c.Passed)
            .Select(c => c.Problem is { } p ? $"{c.Name}: {p}" : $"{c.Name}: max |got-ref| = {c.MaxAbsDifference:e3} > {c.Tolerance:e3}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
