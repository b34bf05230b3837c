using RnnGraph.Onnx;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph eval SPEC --weights W --inputs IN --out OUT</c>, exactly per the eval CONTRACT.</summary>
public sealed class EvalCommand : ICommand
{
    public CommandSpec Spec { get; } = new("eval", "Run a model (a spec on given weights, or an ONNX model) once on given inputs; with upstream gradients also run backward.",
        ["SPEC|MODEL.onnx"],
        [
            new OptionSpec("--weights", "W.safetensors", "parameters under PyTorch names, e.g. rnn.weight_ih_l0 (required for a spec; an ONNX model holds its own)"),
            new OptionSpec("--inputs", "IN.safetensors", "x [T,B,I] ([B,T,I] if batch_first); optional lengths [B], h0, c0, dy, dh_n, dc_n; an encoder-decoder's decoder_input [T,B] (and teacher); for an ONNX model one tensor per graph input by name", Required: true),
            new OptionSpec("--out", "OUT.safetensors", "y, h_n, c_n and, when an upstream gradient is given, grad.x, grad.h0, grad.<param>; for an ONNX model one tensor per graph output", Required: true),
            new OptionSpec("--compare", "REF.safetensors", "compare the outputs with reference tensors (e.g. from PyTorch); exit 1 on a mismatch"),
            OptionSpec.Set,
            OptionSpec.MemoryLimit,
        ],
        "For a spec: missing upstream gradients count as zero. With lengths (I32/I64), each sequence stops at its own length as\nPyTorch's packed sequences do: y is zero past the end, h_n/c_n are taken at the last valid step.\nOn bad input: a one-line error, exit 1, nothing written.\n\n" +
        "An .onnx MODEL runs with ONNX's operator semantics (default domain, opsets " + $"{OnnxModelReader.MinOpset}-{OnnxModelReader.MaxOpset}" + ");\nIN holds one tensor per graph input (I32/I64 for integer inputs), OUT gets one per graph output.\n" +
        "Operators: " + string.Join(", ", OnnxEvaluator.SupportedOperators.Order(StringComparer.Ordinal)) + ".");

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals[0].EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            return ExecuteOnnx(args, context);
        if (args.Option("--weights") is null)
            throw new UsageException("missing required option --weights (a spec needs its parameters)");
        var compilation = SpecLoader.Load(args.Positionals[0], args.List("--set"), context.Error, context.Error);
        if (compilation is null) return 1;
        string outPath = args.Option("--out")!;
        if (!OutputFolderExists(outPath, context)) return 1;
        try
        {
            var weights = SafeTensors.Read(args.Option("--weights")!);
            var inputs = SafeTensors.Read(args.Option("--inputs")!);
            // Read before anything is written: a bad reference file is bad input too (nothing written).
            string? referencePath = args.Option("--compare");
            var reference = referencePath is null ? null : SafeTensors.Read(referencePath);
            var outputs = TensorEvaluator.Evaluate(compilation, weights, inputs);
            SafeTensors.Write(outPath, outputs);
            int gradients = outputs.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal));
            var shown = outputs.Where(p => !p.Key.StartsWith("grad.", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal);
            context.Out.WriteLine($"wrote {outPath}: {string.Join(", ", shown.Select(p => $"{p.Key} [{string.Join(",", p.Value.Shape)}]"))}" +
                                  (gradients > 0 ? $" and {gradients} gradients" : ""));
            return reference is null ? 0 : Compare(outputs, reference, referencePath!, context);
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
    }

    private static int ExecuteOnnx(ParsedArguments args, CliContext context)
    {
        if (args.Option("--weights") is not null)
            throw new UsageException("--weights is for specs; an ONNX model holds its own weights");
        if (args.List("--set").Count > 0)
            throw new UsageException("--set is for specs; it cannot change an ONNX model");
        string outPath = args.Option("--out")!;
        if (!OutputFolderExists(outPath, context)) return 1;
        try
        {
            var model = OnnxModelReader.Read(args.Positionals[0]);
            OnnxEvaluator.CheckSupported(model);
            var inputs = SafeTensors.Read(args.Option("--inputs")!);
            string? referencePath = args.Option("--compare");
            var reference = referencePath is null ? null : SafeTensors.Read(referencePath);
            var outputs = OnnxEvaluator.Evaluate(model, inputs);
            SafeTensors.Write(outPath, outputs);
            context.Out.WriteLine($"wrote {outPath}: {string.Join(", ", outputs.Select(p => $"{p.Key} [{string.Join(",", p.Value.Shape)}]"))}");
            return reference is null ? 0 : Compare(outputs, reference, referencePath!, context);
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
    }

    private static bool OutputFolderExists(string outPath, CliContext context)
    {
        string outFolder = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
        if (Directory.Exists(outFolder)) return true;
        // Checked first so a long evaluation does not end in an error about a temporary file.
        context.Error.WriteLine($"error: cannot write '{outPath}': the folder '{outFolder}' does not exist");
        return false;
    }

    private static int Compare(Dictionary<string, TensorValue> outputs, Dictionary<string, TensorValue> reference, string path, CliContext context)
    {
        var comparisons = TensorComparison.CompareAll(outputs, reference);
        int width = Math.Max(6, comparisons.Count == 0 ? 0 : comparisons.Max(c => c.Name.Length));
        context.Out.WriteLine($"compared with {path}: |got - ref| <= {TensorComparison.AbsoluteTolerance:0e+0} + {TensorComparison.RelativeTolerance:0e+0} * max|ref|");
        foreach (var c in comparisons)
        {
            string verdict = c.Problem ?? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"max |diff| {c.MaxAbsDifference:0.00e+00}  tolerance {c.Tolerance:0.00e+00}  {(c.Passed ? "ok" : "MISMATCH")}");
            context.Out.WriteLine($"  {c.Name.PadRight(width)}  {("[" + string.Join(",", c.Shape) + "]"),-12}  {verdict}");
        }
        bool passed = comparisons.All(c => c.Passed);
        context.Out.WriteLine(passed ? $"all {comparisons.Count} tensors match" : $"{comparisons.Count(c => !c.Passed)} of {comparisons.Count} tensors differ");
        return passed ? 0 : 1;
    }
}
