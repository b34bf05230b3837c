using RnnGraph.Onnx;
using RnnGraph.Onnx.Export;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph export (SPEC --weights W | RUN) --onnx OUT.onnx</c>: a spec and its weights as an ONNX model.</summary>
public sealed class ExportCommand : ICommand
{
    public CommandSpec Spec { get; } = new("export", "Write a model (spec and weights, or a run folder) as an ONNX model.",
        ["SPEC|RUN"],
        [
            new OptionSpec("--weights", "W.safetensors", "parameters under PyTorch names (required with SPEC; a RUN folder's weights.safetensors otherwise)"),
            new OptionSpec("--onnx", "OUT.onnx", "the ONNX model to write", Required: true),
            new OptionSpec("--opset", "N", $"default-domain operator set, {OnnxExporter.MinOpset} to {OnnxExporter.MaxOpset} (default {OnnxExporter.DefaultOpset})"),
            new OptionSpec("--steps", "T", "models with custom cells: the fixed sequence length to unroll them over; encoder-decoders: the source length S (required for both)"),
            new OptionSpec("--initial-states", null, "make the initial states graph inputs (h0, c0, ... [L*D,B,H]) instead of zeros"),
            OptionSpec.Set,
        ],
        """
        Layers of built-in cells (rnn_tanh, rnn_relu, gru incl. reset_after: false, lstm incl. peepholes) become one
        ONNX RNN/GRU/LSTM operator per stacked layer, with PyTorch's gate order mapped to ONNX's, B = [b_ih, b_hh]
        (zeros with bias: false) and linear_before_reset 1 (gru) or 0 (reset_after: false); the sequence length and
        batch stay symbolic. A model with a custom cell becomes primitive operators (Gemm, Add, Mul, Sigmoid, Tanh,
        Slice, Concat, ...) unrolled over --steps T with a symbolic batch.
        Graph inputs and outputs use the eval CONTRACT's names: x (float [T,B,I], [B,T,I] with batch_first, or int64
        token ids [T,B]), y, h_n, c_n (prefixed by the layer name with several rnn layers), so
        'rnngraph eval OUT.onnx --inputs IN.safetensors --out OUT.safetensors' runs it.
        Exported: topology many-to-many and many-to-one with pooling: last; embed and one_hot inputs; dense layers
        with activation none or softmax; every merge mode. An encoder-decoder becomes two models beside OUT:
        OUT.encoder.onnx (the source ids [S,B] under the spec's input name and lengths [B] in; memory [S,B,E], keys, state.h/state.c [L,B,H] out) and
        OUT.decoder.onnx, one decoder step (those, decoder_input [B] and Luong's feed in; y [B,V] logits,
        state.*.next, feed.next and attention [B,S] out), unrolled over --steps S source steps: a decoding loop
        encodes once and steps until <eos>. Refused with an error: one-to-one and one-to-many topologies, other
        poolings. lengths (packed sequences) are not exported for the other topologies: every sequence runs all steps.
        The file is written atomically; on an error nothing is written (exit 1).
        """);

    public int Execute(ParsedArguments args, CliContext context)
    {
        string source = args.Positionals[0];
        string? weightsPath = args.Option("--weights");
        string specPath = source;
        if (!Directory.Exists(source) && !File.Exists(source))
        {
            context.Error.WriteLine($"error: '{source}' does not exist: give a spec file (with --weights) or a run folder written by 'rnngraph run'");
            return 1;
        }
        if (Directory.Exists(source))
        {
            specPath = Path.Combine(source, "spec.yaml");
            if (!File.Exists(specPath))
            {
                context.Error.WriteLine($"error: '{source}' is not a run folder: it has no spec.yaml (give a spec file with --weights, or a folder written by 'rnngraph run')");
                return 1;
            }
            if (weightsPath is null)
            {
                weightsPath = Path.Combine(source, "weights.safetensors");
                if (!File.Exists(weightsPath))
                {
                    context.Error.WriteLine($"error: run folder '{source}' has no weights.safetensors (the run has not finished); finish it with 'rnngraph run {source} --resume' or give --weights");
                    return 1;
                }
            }
        }
        else if (weightsPath is null)
        {
            context.Error.WriteLine($"error: --weights W.safetensors is required with a spec file ('{source}'); or give a run folder, whose weights.safetensors is used");
            return 1;
        }
        int opset = args.IntOption("--opset", OnnxExporter.DefaultOpset, min: 1);
        int? steps = args.Option("--steps") is null ? null : args.IntOption("--steps", 0, min: 1);
        var compilation = SpecLoader.Load(specPath, args.List("--set"), context.Error, context.Error);
        if (compilation is null) return 1;
        string outPath = args.Option("--onnx")!;
        try
        {
            var weights = SafeTensors.Read(weightsPath);
            var options = new OnnxExportOptions(opset, steps, args.Flags.Contains("--initial-states"));
            if (compilation.Model!.IsEncoderDecoder)
            {
                // Two models beside the named file: OUT.encoder.onnx and OUT.decoder.onnx.
                var (encoder, decoder) = OnnxExporter.ExportEncoderDecoder(compilation, weights, options, Path.GetFileName(weightsPath));
                string stem = Path.Combine(Path.GetDirectoryName(outPath) ?? "", Path.GetFileNameWithoutExtension(outPath));
                foreach (var (path, part) in new[] { (stem + ".encoder.onnx", encoder), (stem + ".decoder.onnx", decoder) })
                {
                    OnnxExporter.Write(path, part);
                    Report(path, part);
                }
                return 0;
            }
            var model = OnnxExporter.Export(compilation, weights, options, Path.GetFileName(weightsPath));
            OnnxExporter.Write(outPath, model);
            Report(outPath, model);
            return 0;

            void Report(string path, RnnGraph.Onnx.Proto.ModelProto written)
            {
                string Describe(RnnGraph.Onnx.Proto.ValueInfoProto v) => v.Name + "[" + string.Join(",", v.Type.TensorType.Shape.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam)) + "]";
                var operators = written.Graph.Node.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}");
                context.Out.WriteLine($"wrote {path}: opset {opset}, inputs {string.Join(", ", written.Graph.Input.Select(Describe))}; outputs {string.Join(", ", written.Graph.Output.Select(Describe))}");
                context.Out.WriteLine($"  {written.Graph.Node.Count} nodes ({string.Join(" ", operators)}), {written.Graph.Initializer.Count} initializers");
            }
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
    }
}
