using RnnGraph.Cli.Rendering;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Printing;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph dump SPEC --steps T</c>: prints the compiled graph of a stage as text, Graphviz DOT or SVG.</summary>
public sealed class DumpCommand : ICommand
{
    public CommandSpec Spec { get; } = new("dump", "Print the graph unrolled over T steps at one compiler stage, deterministically.",
        ["SPEC"],
        [
            new OptionSpec("--steps", "T", "number of unrolled steps (required)", Required: true),
            new OptionSpec("--stage", "STAGE", "unrolled | backward | simplify | cse | time-batching | elementwise-fusion | optimized: the graph after that pass (default: optimized)", Choices: Compilation.Stages),
            new OptionSpec("--format", "FORMAT", "text | dot | svg (default: text; svg runs Graphviz's dot)", Choices: ["text", "dot", "svg"]),
            new OptionSpec("--full", null, $"dot/svg: draw every step (default: above {DotOptions.DefaultCollapseAbove} steps the middle collapses)"),
            new OptionSpec("--initial-states", null, "feed initial states as inputs instead of zeros"),
            new OptionSpec("--lengths", null, "sequences of their own lengths: per-step masks as in eval with lengths"),
            new OptionSpec("--target-steps", "T", "encoder-decoders: the decoder's steps (default: --steps)"),
            new OptionSpec("--out", "FILE", "write to FILE instead of standard output"),
            OptionSpec.Set,
        ],
        "The text form lists one node per line in topological order: %n = op operands {attributes} : shape  # layer, step, equation name.\n" +
        "The dot and svg forms draw one column per step (left to right) and one lane per layer and direction; backward\n" +
        $"nodes are red, parameters sit apart with light edges, blue edges cross steps. Above {DotOptions.DefaultCollapseAbove} steps only steps 0, 1\n" +
        "and the last two are drawn, the middle as one '… k steps …' node per lane; --full draws them all. See docs/pictures/graph.md.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        int steps = args.IntOption("--steps", 3, min: 1);
        string format = args.Option("--format") ?? "text";
        var compilation = SpecLoader.Load(args.Positionals[0], args.List("--set"), context.Error, context.Error);
        if (compilation is null) return 1;
        int? targetSteps = args.Option("--target-steps") is null ? null : args.IntOption("--target-steps", steps, min: 1);
        var graph = compilation.Stage(args.Option("--stage") ?? "optimized", steps, args.Flags.Contains("--initial-states"), args.Flags.Contains("--lengths"), targetSteps);
        var options = args.Flags.Contains("--full") ? DotOptions.Full : DotOptions.Default;
        string text;
        if (format == "text") text = GraphTextPrinter.Print(graph);
        else if (format == "dot") text = GraphDrawing.Dot(graph, options);
        else if (!GraphDrawing.TrySvg(graph, options, out text, out string? error))
        {
            context.Error.WriteLine("rnngraph: " + error);
            return 1;
        }
        if (args.Option("--out") is { } path) AtomicFile.WriteAllText(path, text);
        else context.Out.Write(text);
        return 0;
    }
}
