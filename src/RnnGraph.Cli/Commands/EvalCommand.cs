using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph eval SPEC --weights W --inputs IN --out OUT</c>, exactly per the eval CONTRACT.</summary>
public sealed class EvalCommand : ICommand
{
    public CommandSpec Spec { get; } = new("eval", "Run a model once on given weights and inputs (float32); with upstream gradients also run backward.",
        ["SPEC"],
        [
            new OptionSpec("--weights", "W.safetensors", "parameters under PyTorch names, e.g. rnn.weight_ih_l0", Required: true),
            new OptionSpec("--inputs", "IN.safetensors", "x [T,B,I] ([B,T,I] if batch_first); optional h0, c0, dy, dh_n, dc_n", Required: true),
            new OptionSpec("--out", "OUT.safetensors", "y, h_n, c_n and, when an upstream gradient is given, grad.x, grad.h0, grad.<param>", Required: true),
        ],
        "Missing upstream gradients count as zero. On bad input: a one-line error, exit 1, nothing written.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        var compilation = SpecLoader.Load(args.Positionals[0], context.Error, context.Error);
        if (compilation is null) return 1;
        try
        {
            var weights = SafeTensors.Read(args.Option("--weights")!);
            var inputs = SafeTensors.Read(args.Option("--inputs")!);
            var outputs = TensorEvaluator.Evaluate(compilation, weights, inputs);
            string outPath = args.Option("--out")!;
            SafeTensors.Write(outPath, outputs);
            int gradients = outputs.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal));
            var shown = outputs.Where(p => !p.Key.StartsWith("grad.", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal);
            context.Out.WriteLine($"wrote {outPath}: {string.Join(", ", shown.Select(p => $"{p.Key} [{string.Join(",", p.Value.Shape)}]"))}" +
                                  (gradients > 0 ? $" and {gradients} gradients" : ""));
            return 0;
        }
        catch (Exception e) when (e is SafeTensorsException or EvalException or RuntimeDataException or IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine("error: " + e.Message);
            return 1;
        }
    }
}
