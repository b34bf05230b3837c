using RnnGraph.Onnx;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph import MODEL.onnx --out DIR [--force]</c>: an ONNX recurrent model as an RnnGraph spec and weights.</summary>
public sealed class ImportCommand : ICommand
{
    public const string SpecFile = "spec.yaml", WeightsFile = "weights.safetensors";

    public CommandSpec Spec { get; } = new("import", "Turn an ONNX recurrent model (e.g. from torch.onnx.export) into an RnnGraph spec.yaml and weights.safetensors.",
        ["MODEL.onnx"],
        [
            new OptionSpec("--out", "DIR", $"folder to write {SpecFile} and {WeightsFile} to (created if missing)", Required: true),
            new OptionSpec("--force", null, $"write into DIR even if it is not empty, replacing {SpecFile} and {WeightsFile} (other files stay)"),
        ],
        """
        Recognized: one input (float features [T,B,I] or [B,T,I], or int token ids through an embedding Gather),
        RNN/GRU/LSTM nodes (stacked, forward or bidirectional) with torch's shape-only glue between them and zero
        or given initial states, then optional dense layers (MatMul [+ Add] or Gemm) and a final Softmax/LogSoftmax.
        Graph outputs must be the sequence output (eval name y) and final states (h_n, c_n). Gate orders and biases
        are mapped back to PyTorch's layouts, so weights keep RnnGraph's usual names (rnn.weight_ih_l0, ...).
        Refused, with the node named: clip, input_forget, other activations, reverse-only layers, sequence_lens,
        and any node on the data path that is not one of the above. Both files are written atomically.
        """);

    public int Execute(ParsedArguments args, CliContext context)
    {
        string modelPath = args.Positionals[0];
        string folder = args.Option("--out")!;
        try
        {
            if (File.Exists(folder))
            {
                context.Error.WriteLine($"error: --out '{folder}' is a file; give a folder for {SpecFile} and {WeightsFile}");
                return 1;
            }
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !args.Flags.Contains("--force"))
            {
                context.Error.WriteLine($"error: --out '{folder}' is not empty; choose a new folder, or pass --force to replace {SpecFile} and {WeightsFile} in it");
                return 1;
            }
            var imported = OnnxImporter.Import(OnnxModelReader.Read(modelPath));
            Directory.CreateDirectory(folder);
            string weightsPath = Path.Combine(folder, WeightsFile), specPath = Path.Combine(folder, SpecFile);
            SafeTensors.Write(weightsPath, imported.Weights);
            AtomicFile.WriteAllText(specPath, imported.SpecYaml);
            context.Out.WriteLine($"imported {Path.GetFileName(modelPath)}: {imported.Summary}");
            context.Out.WriteLine($"  eval inputs:  {Names(imported.Inputs)}");
            context.Out.WriteLine($"  eval outputs: {Names(imported.Outputs)}");
            long count = imported.Weights.Values.Sum(w => (long)w.ElementCount);
            context.Out.WriteLine($"wrote {specPath} and {weightsPath} ({imported.Weights.Count} tensors, {count} weights)");
            return 0;
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
    }

    private static string Names(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join(", ", pairs.Select(p => $"{p.Value} = ONNX '{p.Key}'"));
}
