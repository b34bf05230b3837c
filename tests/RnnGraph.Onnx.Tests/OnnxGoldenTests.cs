using System.Text.Json;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;
using RnnGraph.TestSupport;

namespace RnnGraph.Onnx.Tests;

/// <summary>
/// Every case under tests/golden/onnx (made by scripts/golden/generate_onnx_golden.py): ONNX's own RNN/GRU/LSTM
/// node tests, random-weight cases with a float64 reference of the operator spec, and models exported by
/// torch.onnx.export (opset 14, and a classifier at opsets 9 to 17 with and without constant folding), run at another batch size and length than they were exported with.
/// </summary>
public class OnnxGoldenTests
{
    public static string Folder => Path.Combine(RepoPaths.Golden, "onnx");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")));
        foreach (var entry in manifest.RootElement.EnumerateArray()) data.Add(entry.GetProperty("name").GetString()!);
        return data;
    }

    [Fact]
    public void The_manifest_covers_every_group_and_operator()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")));
        var entries = manifest.RootElement.EnumerateArray().Select(e => (group: e.GetProperty("group").GetString(), op: e.GetProperty("op").GetString())).ToList();
        foreach (var op in new[] { "RNN", "GRU", "LSTM" })
        {
            Assert.Contains(("node", op), entries);
            Assert.Contains(("random", op), entries);
        }
        Assert.Equal(3, entries.Count(e => e.group == "torch"));
        Assert.Equal(12, entries.Count(e => e.group == "torch-opsets"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_match_the_reference(string name)
    {
        string folder = Path.Combine(Folder, name);
        var model = OnnxModelReader.Read(Path.Combine(folder, "model.onnx"));
        var inputs = SafeTensors.Read(Path.Combine(folder, "inputs.safetensors"));
        var expected = SafeTensors.Read(Path.Combine(folder, "expected.safetensors"));
        var outputs = OnnxEvaluator.Evaluate(model, inputs);
        Assert.Equal(expected.Keys.Order(), outputs.Keys.Order());
        var comparisons = TensorComparison.CompareAll(outputs, expected);
        var failed = comparisons.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Problem ?? $"max |diff| {c.MaxAbsDifference:g3} > {c.Tolerance:g3}"}").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
        Assert.Equal(expected.Count, comparisons.Count);
    }
}
