using RnnGraph.Compiler;
using RnnGraph.Compiler.Printing;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph dump SPEC --steps T</c>: prints the compiled graph of a stage as text or Graphviz DOT.</summary>
public sealed class DumpCommand : ICommand
{
    public CommandSpec Spec { get; } = new("dump", "Print the graph unrolled over T steps at one compiler stage, deterministically.",
        ["SPEC"],
        [
            new OptionSpec("--steps", "T", "number of unrolled steps (required)", Required: true),
            new OptionSpec("--stage", "STAGE", "unrolled | backward | optimized (default: optimized)", Choices: Compilation.Stages),
            new OptionSpec("--format", "FORMAT", "text | dot (default: text)", Choices: ["text", "dot"]),
            new OptionSpec("--initial-states", null, "feed initial states as inputs instead of zeros"),
            new OptionSpec("--lengths", null, "sequences of their own lengths: per-step masks as in eval with lengths"),
            new OptionSpec("--out", "FILE", "write to FILE instead of standard output"),
            OptionSpec.Set,
        ],
        "The text form lists one node per line in topological order: %n = op operands {attributes} : shape  # layer, step, equation name.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        int steps = args.IntOption("--steps", 3, min: 1);
        var compilation = SpecLoader.Load(args.Positionals[0], args.List("--set"), context.Error, context.Error);
        if (compilation is null) return 1;
        var graph = compilation.Stage(args.Option("--stage") ?? "optimized", steps, args.Flags.Contains("--initial-states"), args.Flags.Contains("--lengths"));
        string text = args.Option("--format") == "dot" ? GraphDotPrinter.Print(graph) : GraphTextPrinter.Print(graph);
        if (args.Option("--out") is { } path) AtomicFile.WriteAllText(path, text);
        else context.Out.Write(text);
        return 0;
    }
}
