using Google.Protobuf;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Dsl.Text;
using RnnGraph.Onnx.Export;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Tests.Export;

/// <summary>Specs compiled from text, random weights and inputs for them, and the exported model read back.</summary>
internal static class ExportCases
{
    public static Compilation Compile(string yaml)
    {
        var compilation = Compilation.Create(new SourceText("export-test.yaml", yaml));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics.Sorted().Select(d => d.ToString())));
        return compilation;
    }

    /// <summary>Every parameter drawn from U(-0.5, 0.5): weights unlike the constant ones of ONNX's node tests, so a swapped gate shows.</summary>
    public static Dictionary<string, TensorValue> RandomWeights(BoundModel model, int seed)
    {
        var random = new Random(seed);
        return model.Parameters.ToDictionary(p => p.Name,
            p => TensorValue.FromFloat(Enumerable.Range(0, p.Dims.Aggregate(1, (a, d) => a * d)).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), p.Dims));
    }

    /// <summary>x (floats in [-1, 1) or int64 token ids) for T steps and B sequences, and initial states when asked.</summary>
    public static Dictionary<string, TensorValue> RandomInputs(BoundModel model, int steps, int batch, int seed, bool initialStates)
    {
        var random = new Random(seed);
        var inputs = new Dictionary<string, TensorValue>(StringComparer.Ordinal);
        var input = model.Input;
        int[] lead = model.BatchFirst ? [batch, steps] : [steps, batch];
        if (input.IsTokens)
            inputs[input.Name] = TensorValue.FromInt64(Enumerable.Range(0, steps * batch).Select(_ => (long)random.Next(input.Vocab)).ToArray(), lead);
        else
            inputs[input.Name] = TensorValue.FromFloat(Enumerable.Range(0, steps * batch * input.Size).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray(), [.. lead, input.Size]);
        if (initialStates)
        {
            foreach (var layer in model.RnnLayers)
                for (int s = 0; s < layer.States.Count; s++)
                {
                    int k = layer.NumLayers * layer.Directions;
                    inputs[ModelNames.InitialState(model, layer, s)] = TensorValue.FromFloat(
                        Enumerable.Range(0, k * batch * layer.Hidden).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), k, batch, layer.Hidden);
                }
        }
        return inputs;
    }

    /// <summary>Exports, serializes and reads the model back through the checked reader (as a file would be).</summary>
    public static OnnxModel ExportAndRead(Compilation compilation, Dictionary<string, TensorValue> weights, OnnxExportOptions options, string name)
    {
        var proto = OnnxExporter.Export(compilation, weights, options);
        byte[] bytes = proto.ToByteArray();
        // For scripts/onnx/check_exported.py: RNNGRAPH_EXPORT_DIR=folder keeps every exported test model there.
        if (Environment.GetEnvironmentVariable("RNNGRAPH_EXPORT_DIR") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, name + ".onnx"), bytes);
        }
        return OnnxModelReader.Parse(bytes, name + ".onnx");
    }
}
