using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Tests;

/// <summary>
/// The three models torch.onnx.export wrote (tests/golden/onnx/torch_*): importing each recovers torch's own weights
/// exactly (torch_state.safetensors, dumped by scripts/golden/generate_onnx_golden.py), and RnnGraph's evaluator
/// running the imported spec on the case's inputs reproduces torch's float64 outputs.
/// </summary>
public class OnnxImportGoldenTests
{
    public static TheoryData<string> TorchCases() => new() { "torch_lstm_stack", "torch_bigru", "torch_embed_lstm_logsoftmax" };

    private static OnnxImport Import(string name) => OnnxImporter.Import(OnnxModelReader.Read(Path.Combine(OnnxGoldenTests.Folder, name, "model.onnx")));

    [Theory]
    [MemberData(nameof(TorchCases))]
    public void Recovered_weights_equal_torch_state(string name)
    {
        var imported = Import(name);
        var torch = SafeTensors.Read(Path.Combine(OnnxGoldenTests.Folder, name, "torch_state.safetensors"));
        Assert.Equal(torch.Keys.Order(StringComparer.Ordinal), imported.Weights.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, expected) in torch)
        {
            var got = imported.Weights[key];
            Assert.True(expected.Shape.SequenceEqual(got.Shape), $"{key}: shape {got} vs torch {expected}");
            Assert.True(expected.ToFloatArray().SequenceEqual(got.ToFloatArray()), $"{key}: values differ from torch's");
        }
    }

    [Theory]
    [MemberData(nameof(TorchCases))]
    public void Imported_spec_reproduces_torch_outputs(string name)
    {
        var imported = Import(name);
        string folder = Path.Combine(OnnxGoldenTests.Folder, name);
        var inputs = SafeTensors.Read(Path.Combine(folder, "inputs.safetensors"));
        var expected = SafeTensors.Read(Path.Combine(folder, "expected.safetensors"));
        var outputs = EvaluateImported(imported, inputs);
        // The ONNX names of the case, renamed to the eval names the import reports.
        var renamed = expected.ToDictionary(p => imported.Outputs.Single(o => o.Key == p.Key).Value, p => p.Value);
        var comparisons = TensorComparison.CompareAll(outputs.Where(p => renamed.ContainsKey(p.Key)).ToDictionary(), renamed);
        Assert.Equal(renamed.Count, comparisons.Count);
        var failed = comparisons.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Problem ?? $"max |diff| {c.MaxAbsDifference:g3} > {c.Tolerance:g3}"}").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }

    [Fact]
    public void Specs_say_what_torch_built()
    {
        Assert.Contains("- rnn: { cell: lstm, hidden: 4, layers: 2 }", Import("torch_lstm_stack").SpecYaml);
        Assert.Contains("- rnn: { cell: gru, hidden: 4, layers: 2, bidirectional: true }", Import("torch_bigru").SpecYaml);
        string embed = Import("torch_embed_lstm_logsoftmax").SpecYaml;
        Assert.Contains("x: { vocab: 7 }", embed);
        Assert.Contains("- embed: { dim: 3 }", embed);
        Assert.Contains("- rnn: { cell: lstm, hidden: 5, batch_first: true }", embed);
        Assert.Contains("- dense: { units: 7, activation: log_softmax }", embed);
    }

    /// <summary>Runs an imported spec with RnnGraph's evaluator, the ONNX inputs renamed to the eval names.</summary>
    internal static Dictionary<string, TensorValue> EvaluateImported(OnnxImport imported, IReadOnlyDictionary<string, TensorValue> onnxInputs)
    {
        var compilation = Compilation.Create(new SourceText("spec.yaml", imported.SpecYaml));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics.Sorted()));
        var inputs = onnxInputs.ToDictionary(p => imported.Inputs.Single(i => i.Key == p.Key).Value, p => p.Value);
        return TensorEvaluator.Evaluate(compilation, imported.Weights, inputs);
    }
}
