using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Dsl.Text;
using RnnGraph.Onnx.Export;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;
using RnnGraph.TestSupport;

namespace RnnGraph.Onnx.Tests.Export;

/// <summary>
/// Every PyTorch golden case of tests/golden/rnn (scripts/golden/generate_rnn_golden.py), exported with its
/// weights and run as ONNX: y and the final states match PyTorch's. Initial states given in the case become
/// graph inputs (a missing c0 beside a given h0 is fed as zeros, the CONTRACT's meaning); custom cells are
/// unrolled at the case's length.
/// </summary>
public class ExportPyTorchGoldenTests
{
    private static string Folder => Path.Combine(RepoPaths.Golden, "rnn");

    public static TheoryData<string> Cases() =>
        new(Directory.GetDirectories(Folder).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(Folder, n!, "spec.yaml"))).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exported_models_match_pytorch(string name)
    {
        string folder = Path.Combine(Folder, name);
        string specPath = Path.Combine(folder, "spec.yaml");
        var compilation = Compilation.Create(new SourceText(specPath, File.ReadAllText(specPath)));
        Assert.False(compilation.HasErrors);
        var model = compilation.Model!;
        var weights = SafeTensors.Read(Path.Combine(folder, "weights.safetensors"));
        var given = SafeTensors.Read(Path.Combine(folder, "inputs.safetensors"));
        var expected = SafeTensors.Read(Path.Combine(folder, "expected.safetensors"));

        var x = given[model.Input.Name];
        int steps = model.BatchFirst ? x.Shape[1] : x.Shape[0], batch = model.BatchFirst ? x.Shape[0] : x.Shape[1];
        var initialNames = OnnxExporter.InitialStateNames(model);
        bool initialStates = given.Keys.Any(initialNames.Contains);
        bool custom = model.RnnLayers.Any(l => !OnnxExporter.OperatorCells.Contains(l.Cells[0].Name));
        var options = new OnnxExportOptions(Steps: custom ? steps : null, InitialStates: initialStates);
        var onnx = ExportCases.ExportAndRead(compilation, weights, options, "golden_" + name);

        var inputs = new Dictionary<string, TensorValue> { [model.Input.Name] = x };
        if (initialStates)
        {
            foreach (var layer in model.RnnLayers)
                for (int s = 0; s < layer.States.Count; s++)
                {
                    string state = ModelNames.InitialState(model, layer, s);
                    int count = layer.NumLayers * layer.Directions * batch * layer.Hidden;
                    inputs[state] = given.TryGetValue(state, out var v) ? v : TensorValue.FromFloat(new float[count], layer.NumLayers * layer.Directions, batch, layer.Hidden);
                }
        }
        var got = OnnxEvaluator.Evaluate(onnx, inputs);
        var reference = expected.Where(p => got.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value);
        Assert.Contains(ModelNames.Output, reference.Keys);
        Assert.Equal(got.Keys.Order(StringComparer.Ordinal), reference.Keys.Order(StringComparer.Ordinal));
        foreach (var c in TensorComparison.CompareAll(got, reference))
            Assert.True(c.Passed, $"{name}: {c.Name}: {c.Problem ?? $"max |diff| {c.MaxAbsDifference:g3} > tolerance {c.Tolerance:g3}"}");
    }
}
