using Google.Protobuf;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Export;

/// <summary>
/// Writes a compiled spec and its weights as an ONNX model. Layers of built-in cells become the standard
/// RNN/GRU/LSTM operators (gate orders and biases mapped, dynamic sequence length and batch); a model with a
/// custom cell becomes primitive operators, its forward graph unrolled over a fixed number of steps. Graph
/// inputs and outputs carry the eval CONTRACT's names (x, y, h_n, c_n). Every refusal is an
/// <see cref="OnnxException"/> naming the spec key or the tensor and what to do.
/// </summary>
public static class OnnxExporter
{
    public const int DefaultOpset = 14;

    /// <summary>The opsets whose operators (RNN/GRU/LSTM with <c>layout</c>, Slice/Squeeze/ReduceSum with tensor inputs) export unchanged.</summary>
    public const int MinOpset = 14, MaxOpset = 21;

    /// <summary>The layers of built-in cells that map to one standard recurrent operator each.</summary>
    internal static readonly IReadOnlySet<string> OperatorCells =
        new HashSet<string>(StringComparer.Ordinal) { "rnn_tanh", "rnn_relu", "gru", "gru_reset_before", "lstm", "lstm_peephole" };

    /// <summary>Builds the model. <paramref name="weightsName"/> names the weights in messages (a file name).</summary>
    public static ModelProto Export(Compilation compilation, IReadOnlyDictionary<string, TensorValue> weights, OnnxExportOptions options, string weightsName = "weights")
    {
        var model = compilation.Model ?? throw new InvalidOperationException("the spec has errors; check its diagnostics first");
        CheckOpset(options);
        CheckTopology(model);
        var parameters = CheckWeights(model, weights, weightsName);
        var custom = model.RnnLayers.FirstOrDefault(l => !OperatorCells.Contains(l.Cells[0].Name));

        var builder = new OnnxGraphBuilder();
        builder.Graph.Name = "rnngraph";
        if (custom is null)
        {
            if (options.Steps is { } steps)
                throw new OnnxException($"--steps {steps} is only for models with custom cells: this model's cells are built in and export as RNN/GRU/LSTM operators with a dynamic sequence length; remove --steps");
            RecurrentModelExporter.Build(builder, model, parameters, options);
        }
        else
        {
            if (options.Steps is not { } steps)
                throw new OnnxException($"layer '{custom.Name}' uses the custom cell '{custom.Cells[0].Name}', which exports as primitive operators unrolled over a fixed number of steps: give --steps T (the sequence length the model will be run at)");
            if (steps < 1 || steps > MaxSteps)
                throw new OnnxException($"--steps {steps} is out of range: give a sequence length from 1 to {MaxSteps}");
            var graph = compilation.Unroll(new Compiler.Unrolling.UnrollOptions(steps, options.InitialStates ? InitialStateNames(model) : null));
            UnrolledGraphExporter.Build(builder, model, graph, parameters, options);
        }

        return Proto(builder, options.Opset);
    }

    /// <summary>
    /// Builds an encoder-decoder as two models, its encoder and one decoder step (<see cref="EncoderDecoderExporter"/>), unrolled
    /// over <see cref="OnnxExportOptions.Steps"/> source steps.
    /// </summary>
    public static (ModelProto Encoder, ModelProto Decoder) ExportEncoderDecoder(Compilation compilation, IReadOnlyDictionary<string, TensorValue> weights,
                                                                              OnnxExportOptions options, string weightsName = "weights")
    {
        var model = compilation.Model ?? throw new InvalidOperationException("the spec has errors; check its diagnostics first");
        if (!model.IsEncoderDecoder) throw new OnnxException("model.topology: only an encoder-decoder exports as an encoder and a decoder step");
        CheckOpset(options);
        if (options.Steps is not { } steps)
            throw new OnnxException("an encoder-decoder exports unrolled over a fixed source length: give --steps S (pad each source to S steps and give its length in 'lengths')");
        if (steps < 1 || steps > MaxSteps)
            throw new OnnxException($"--steps {steps} is out of range: give a source length from 1 to {MaxSteps}");
        if (options.InitialStates)
            throw new OnnxException("--initial-states: an encoder-decoder's decoder states are already inputs of its decoder step; the encoder starts from zeros");
        var parameters = CheckWeights(model, weights, weightsName);
        var (encoder, decoder) = EncoderDecoderExporter.Build(compilation, model, parameters, steps);
        return (Proto(encoder, options.Opset), Proto(decoder, options.Opset));
    }

    private static void CheckOpset(OnnxExportOptions options)
    {
        if (options.Opset < MinOpset || options.Opset > MaxOpset)
            throw new OnnxException($"--opset {options.Opset} is not supported: RnnGraph exports operator sets {MinOpset} to {MaxOpset} (the recurrent operators' layout attribute appeared in {MinOpset})");
    }

    private static ModelProto Proto(OnnxGraphBuilder builder, int opset)
    {
        var proto = new ModelProto
        {
            IrVersion = IrVersion(opset),
            ProducerName = "rnngraph",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0",
            Graph = builder.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return proto;
    }

    /// <summary>The longest unrolled export: each step adds a copy of the cell's nodes.</summary>
    public const int MaxSteps = 10_000;

    /// <summary>Writes the model through a temporary file in the same folder and a rename, so a failed write leaves no half file.</summary>
    public static void Write(string path, ModelProto model)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
            throw new OnnxException($"cannot write '{path}': the folder '{folder}' does not exist");
        AtomicFile.Write(full, temp =>
        {
            using var stream = File.Create(temp);
            model.WriteTo(stream);
        });
    }

    /// <summary>The newest IR version each opset was released with (what onnx.helper.make_model would write).</summary>
    internal static long IrVersion(int opset) => opset switch
    {
        14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };

    internal static HashSet<string> InitialStateNames(BoundModel model) =>
        model.RnnLayers.SelectMany(l => Enumerable.Range(0, l.States.Count).Select(s => ModelNames.InitialState(model, l, s))).ToHashSet(StringComparer.Ordinal);

    private static void CheckTopology(BoundModel model)
    {
        if (model.IsEncoderDecoder)
            throw new OnnxException("model.topology: an encoder-decoder exports as two models, its encoder and one decoder step (ExportEncoderDecoder)");
        if (model.OneToOne || model.OneToMany)
            throw new OnnxException($"model.topology: {model.Topology} models cannot be exported to ONNX yet; export supports many-to-many, many-to-one (pooling: last) and encoder-decoder");
        if (model.ManyToOne && model.Pooling != "last")
            throw new OnnxException($"model.pooling: '{model.Pooling}' cannot be exported to ONNX yet; export supports many-to-one models with pooling: last");
        if (!model.RnnLayers.Any())
            throw new OnnxException("model.layers: the model has no rnn layer; export writes recurrent models");
        if (model.ManyToOne && model.Layers.OfType<BoundRnnLayer>().Last().Cells[^1] is { } last && last.Output != last.States[0])
            throw new OnnxException($"model.topology: many-to-one pools the output '{last.Output}' of cell '{last.Name}', which is not its first state; export supports pooling the first state");
    }

    /// <summary>The weights as float32 under the spec's parameter names, each checked against its shape.</summary>
    private static Dictionary<string, float[]> CheckWeights(BoundModel model, IReadOnlyDictionary<string, TensorValue> weights, string weightsName)
    {
        var expected = model.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in weights.Keys.Order(StringComparer.Ordinal))
        {
            if (!expected.Contains(name))
                throw new OnnxException($"{weightsName}: unexpected tensor '{name}'; the spec's parameters are {string.Join(", ", model.Parameters.Select(p => p.Name))} (are these the weights of another spec?)");
        }
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var p in model.Parameters)
        {
            if (!weights.TryGetValue(p.Name, out var w))
                throw new OnnxException($"{weightsName}: missing tensor '{p.Name}' of shape [{string.Join(",", p.Dims)}]");
            if (!w.Shape.SequenceEqual(p.Dims))
                throw new OnnxException($"{weightsName}: tensor '{p.Name}' has shape [{string.Join(",", w.Shape)}] but the spec needs [{string.Join(",", p.Dims)}]");
            if (w.DType is not (DType.F32 or DType.F64 or DType.F16 or DType.BF16))
                throw new OnnxException($"{weightsName}: tensor '{p.Name}' has dtype {w.DType.Name()}; weights must be floating point (F32)");
            result[p.Name] = w.ToFloatArray();
        }
        return result;
    }
}
