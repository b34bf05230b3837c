using System.Text.Json;
using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Tests.Parity;

/// <summary>
/// PyTorch parity: every case under tests/golden/rnn (written by scripts/golden/generate_rnn_golden.py
/// from float64 PyTorch runs) is evaluated here in float32 and every output and gradient must satisfy
/// |got - ref| &lt;= 1e-5 + 1e-4 * max|ref| (DESIGN §6).
/// </summary>
public sealed class GoldenParityTests
{
    private static readonly string GoldenRoot = Path.Combine(FindRepoRoot(), "tests", "golden", "rnn");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenRoot, "manifest.json")));
        foreach (var c in manifest.RootElement.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_float64_reference(string name)
    {
        string dir = Path.Combine(GoldenRoot, name);
        string specPath = Path.Combine(dir, "spec.yaml");
        var compilation = Compilation.Create(new SourceText(specPath, File.ReadAllText(specPath))) ;
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));

        var outputs = TensorEvaluator.Evaluate(compilation,
            SafeTensors.Read(Path.Combine(dir, "weights.safetensors")),
            SafeTensors.Read(Path.Combine(dir, "inputs.safetensors")));
        var expected = SafeTensors.Read(Path.Combine(dir, "expected.safetensors"));

        Assert.NotEmpty(expected);
        var failures = new List<string>();
        foreach (var (key, reference) in expected.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!outputs.TryGetValue(key, out var got)) { failures.Add($"{key}: missing from the outputs"); continue; }
            if (!got.Shape.SequenceEqual(reference.Shape)) { failures.Add($"{key}: shape [{string.Join(",", got.Shape)}] but reference [{string.Join(",", reference.Shape)}]"); continue; }
            var g = got.ToDoubleArray();
            var r = reference.ToDoubleArray();
            double scale = r.Length == 0 ? 0 : r.Max(Math.Abs);
            double tolerance = 1e-5 + 1e-4 * scale;
            double worst = 0;
            for (int i = 0; i < r.Length; i++) worst = Math.Max(worst, Math.Abs(g[i] - r[i]));
            if (worst > tolerance) failures.Add($"{key}: max |got-ref| = {worst:e3} > {tolerance:e3}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RnnGraph.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (RnnGraph.sln) above " + AppContext.BaseDirectory);
    }
}
