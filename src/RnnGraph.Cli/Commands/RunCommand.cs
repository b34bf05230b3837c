using System.Globalization;
using RnnGraph.Cli.Progress;
using RnnGraph.Cli.Rendering;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Printing;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph run SPEC</c>: trains the spec's model on its data and writes a run folder.</summary>
public sealed class RunCommand : ICommand
{
    public CommandSpec Spec { get; } = new("run", "Train the spec's model on its data, report each epoch, sample, and write a run folder.",
        ["SPEC"],
        [
            new OptionSpec("--out", "DIR", "run folder (default: runs/<spec name>)"),
            new OptionSpec("--epochs", "N", "override training.epochs"),
            new OptionSpec("--resume", null, "SPEC is a run folder: continue it from its last checkpoint"),
            new OptionSpec("--threads", "N", "threads a training step may use (default 2, or 1 on a one-CPU machine; 2 runs independent recurrences, e.g. the directions of a bidirectional layer, side by side when that pays; results are the same)"),
            OptionSpec.Set,
            OptionSpec.MemoryLimit,
        ],
        "The task follows the model's topology: many-to-many trains a language model (next-token prediction over\nthe lines or the stream of data.file or data.text) and samples from it; many-to-one trains a classifier on\nlabelled lines (data.format: labelled) and reports held-out accuracy. The run folder holds weights.safetensors,\nvocab.json, spec.yaml, metrics.csv/.jsonl, loss.svg, and samples.txt or predictions.tsv.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        int? epochs = args.Options.ContainsKey("--epochs") ? args.IntOption("--epochs", 1, 1) : null;
        bool resume = args.Flags.Contains("--resume");
        int threads = args.IntOption("--threads", ExecutionThreads.Default, 1);
        string specPath = resume ? Path.Combine(args.Positionals[0], "spec.yaml") : args.Positionals[0];
        if (resume && !Directory.Exists(args.Positionals[0]))
        {
            context.Error.WriteLine($"error: run folder '{args.Positionals[0]}' does not exist");
            return 1;
        }
        var probe = SpecLoader.Load(specPath, args.List("--set"), context.Error, context.Error);
        if (probe is null) return 1;
        string folder = resume ? args.Positionals[0] : args.Option("--out") ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(specPath));
        try
        {
            var observer = RunObservers.For(context.Out);
            RunSummary summary;
            // A live progress bar must end before an error line is printed below it.
            try { summary = TrainingRun.Run(probe, folder, observer, epochs, resume, DrawGraph, threads); }
            finally { (observer as IDisposable)?.Dispose(); }
            context.Out.WriteLine(summary.Report.Title);
            foreach (var line in summary.Report.Lines) context.Out.WriteLine("  " + line);
            string validation = summary.ValidationLoss is { } v ? string.Create(CultureInfo.InvariantCulture, $", validation loss {v:0.0000}") : "";
            if (summary.ValidationLoss is { } loss && summary.LossIsPerToken) validation += string.Create(CultureInfo.InvariantCulture, $" (perplexity {Math.Exp(loss):0.00})");
            if (summary.ValidationAccuracy is { } accuracy) validation += string.Create(CultureInfo.InvariantCulture, $", validation accuracy {accuracy:0.00%}");
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done in {summary.Elapsed.TotalSeconds:0.0}s: train loss {summary.TrainLoss:0.0000}{validation}; wrote {summary.Folder}"));
            return 0;
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
    }

    /// <summary>The report's drawing of the model's forward graph at T = 3, or null (the report then shows the text dump) when Graphviz cannot draw it.</summary>
    private static string? DrawGraph(Compilation compilation) =>
        GraphDrawing.TrySvg(compilation.Stage("unrolled", 3, false, false), DotOptions.Default, out string svg, out _) ? svg : null;
}
