using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Onnx.Export;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;
using RnnGraph.TestSupport;

namespace RnnGraph.Onnx.Tests;

/// <summary>
/// Export, then import, then eval: every PyTorch golden case of tests/golden/rnn with built-in cells (RNN, GRU in
/// both forms, LSTM with and without peepholes; stacked, bidirectional, batch_first, with given initial states) is
/// exported to ONNX, read back and imported. The import recovers the spec's weights exactly, and RnnGraph's
/// evaluator gives the imported spec the outputs it gives the original spec, which match PyTorch's.
/// </summary>
public class ExportImportRoundTripTests
{
    private static string Folder => Path.Combine(RepoPaths.Golden, "rnn");

    public static TheoryData<string> Cases() =>
        new(Directory.GetDirectories(Folder).Select(Path.GetFileName)
            .Where(n => File.Exists(Path.Combine(Folder, n!, "spec.yaml")) && !File.ReadAllText(Path.Combine(Folder, n!, "spec.yaml")).Contains("cells:"))
            .Order(StringComparer.Ordinal)!);

    [Fact]
    public void The_round_trip_covers_the_built_in_golden_cases() => Assert.True(Cases().Count >= 150, $"{Cases().Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Export_import_eval_gives_the_same_outputs(string name)
    {
        string folder = Path.Combine(Folder, name);
        string specPath = Path.Combine(folder, "spec.yaml");
        var original = Compilation.Create(new SourceText(specPath, File.ReadAllText(specPath)));
        Assert.False(original.HasErrors);
        var weights = SafeTensors.Read(Path.Combine(folder, "weights.safetensors"));
        var given = SafeTensors.Read(Path.Combine(folder, "inputs.safetensors"));
        var initialNames = OnnxExporter.InitialStateNames(original.Model!);
        // Only the forward inputs: x and initial states (the golden files also hold upstream gradients).
        var inputs = given.Where(p => p.Key == original.Model!.Input.Name || initialNames.Contains(p.Key)).ToDictionary();
        bool initialStates = inputs.Keys.Any(initialNames.Contains);
        var onnx = Export.ExportCases.ExportAndRead(original, weights, new OnnxExportOptions(Steps: null, InitialStates: initialStates), "roundtrip_" + name);

        var imported = OnnxImporter.Import(onnx);

        Assert.Equal(weights.Keys.Order(StringComparer.Ordinal), imported.Weights.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in weights)
            Assert.True(value.ToFloatArray().SequenceEqual(imported.Weights[key].ToFloatArray()) && value.Shape.SequenceEqual(imported.Weights[key].Shape), $"{key} differs after the round trip");

        var reimported = Compilation.Create(new SourceText("spec.yaml", imported.SpecYaml));
        Assert.False(reimported.HasErrors, string.Join("\n", reimported.Diagnostics.Sorted()));
        var expected = TensorEvaluator.Evaluate(original, weights, inputs);
        // The exporter names graph inputs after the eval names, and the import maps them back.
        var renamed = inputs.ToDictionary(p => imported.Inputs.Single(i => i.Key == p.Key).Value, p => p.Value);
        var got = TensorEvaluator.Evaluate(reimported, imported.Weights, renamed);
        var comparable = expected.Where(p => !p.Key.StartsWith("grad.", StringComparison.Ordinal)).ToDictionary();
        Assert.NotEmpty(comparable);
        foreach (var c in TensorComparison.CompareAll(got.Where(p => comparable.ContainsKey(p.Key)).ToDictionary(), comparable))
            Assert.True(c.Passed && c.MaxAbsDifference == 0, $"{c.Name}: {c.Problem ?? $"max |diff| {c.MaxAbsDifference:g3}"}");
        Assert.Equal(comparable.Keys.Order(StringComparer.Ordinal), got.Keys.Where(comparable.ContainsKey).Order(StringComparer.Ordinal));
    }
}
