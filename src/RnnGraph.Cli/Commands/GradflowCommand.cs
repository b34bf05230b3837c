using System.Globalization;
using System.Text;
using RnnGraph.Runtime.Analysis;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph gradflow SPEC|RUN</c>: the norm of dL/dh_t per step on real training batches, as a table, a picture and a CSV.</summary>
public sealed class GradflowCommand : ICommand
{
    public CommandSpec Spec { get; } = new("gradflow", "Measure how the loss's gradient flows back through time: ||dL/dh_t|| per step and recurrent layer.\n" +
        "Runs forward and backward on the first training batches of the spec's data (initial weights) or of a run folder (trained weights).",
        ["SPEC|RUN"],
        [
            new OptionSpec("--steps", "T", "cut each batch to its first T steps (default: the batches' own lengths)"),
            new OptionSpec("--batches", "N", "training batches averaged (default 4)"),
            new OptionSpec("--out", "FILE.svg", "write the picture: the norm per step on a log scale, one line per layer and direction"),
            new OptionSpec("--csv", "FILE", "write the norms: a row per step, a column per layer and direction"),
            new OptionSpec("--title", "TEXT", "the picture's title (default: gradient flow and the spec's name)"),
            new OptionSpec("--vs", "SPEC|RUN", "also measure this spec or run folder (same --steps and --batches, without --set) and compare: one table and one picture, each line named by its source"),
            OptionSpec.Set,
        ],
        "||dL/dh_t|| is the Frobenius norm over the batch and hidden units of the total derivative of the training loss\n" +
        "(a mean over the batch's targets) with respect to the layer's state h_t, averaged over the batches; padded steps\n" +
        "count as zero. The table gives each layer's norm at the last step and at the first, and first/last: the factor by\n" +
        "which the gradient has shrunk (< 1) or grown (> 1) over the T steps. No dropout, no weight update. An encoder-decoder's\n" +
        "encoder is measured over the source steps and its decoder over its output steps; each row then gives its steps.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        int batches = args.IntOption("--batches", 4, 1);
        int? steps = args.Options.ContainsKey("--steps") ? args.IntOption("--steps", 1, 1) : null;
        string source = args.Positionals[0];
        GradientFlowResult result;
        try
        {
            var sample = RunBatches.Load(source, args.List("--set"), batches, steps);
            result = GradientFlow.Measure(sample.Compilation, sample.Parameters, sample.Batches, sample.Loss);
            if (args.Option("--vs") is { } other)
            {
                var second = RunBatches.Load(other, [], batches, steps);
                var compared = GradientFlow.Measure(second.Compilation, second.Parameters, second.Batches, second.Loss);
                // One result whose lines say where they come from: "spam-lstm: rnn l0".
                static IEnumerable<GradientFlowSeries> Named(GradientFlowResult r, string from) =>
                    r.Series.Select(s => s with { Layer = $"{Name(from)}: {s.Layer}" });
                result = new GradientFlowResult(Math.Max(result.Steps, compared.Steps), result.Batches,
                    [.. Named(result, source), .. Named(compared, other)]);
            }
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
        if (result.Series.Count == 0)
        {
            context.Error.WriteLine("error: the model has no recurrent layer, so no gradient flows through time");
            return 1;
        }

        int width = Math.Max(12, result.Series.Max(s => s.Label.Length));
        // An encoder-decoder's series run over two time axes (source and decoder steps): each row says how many steps it has.
        bool oneAxis = result.Series.All(s => s.Norms.Count == result.Steps);
        string last = oneAxis ? $"t={result.Steps - 1} (last)" : "last step";
        context.Out.WriteLine($"{"layer".PadRight(width)}  {last,14}  {"t=0 (first)",14}  {"first/last",12}{(oneAxis ? "" : $"  {"steps",5}")}");
        foreach (var s in result.Series)
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Label.PadRight(width)}  {s.Norms[^1],14:0.000e+00}  {s.Norms[0],14:0.000e+00}  {s.FirstOverLast,12:0.000e+00}{(oneAxis ? "" : $"  {s.Norms.Count,5}")}"));
        string over = oneAxis ? $"{result.Steps} steps" : "each layer's steps (an encoder's over the source, a decoder's over its outputs)";
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"||dL/dh_t|| over {over}, mean of {result.Batches} batch{(result.Batches == 1 ? "" : "es")}"));
        try
        {
            string title = args.Option("--title") ?? $"Gradient flow through time: {Name(source)}{(args.Option("--vs") is { } vs ? " vs " + Name(vs) : "")}";
            if (args.Option("--out") is { } svg)
            {
                GradientFlowSvg.Write(svg, result, title);
                context.Out.WriteLine($"wrote {svg}");
            }
            if (args.Option("--csv") is { } csv)
            {
                AtomicFile.WriteAllText(csv, Csv(result));
                context.Out.WriteLine($"wrote {csv}");
            }
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
        return 0;
    }

    /// <summary>step, then one column per series (its label), round-trip decimals; empty past a shorter series' last step.</summary>
    private static string Csv(GradientFlowResult result)
    {
        var text = new StringBuilder("step");
        foreach (var s in result.Series) text.Append(',').Append(s.Label);
        text.Append('\n');
        for (int t = 0; t < result.Steps; t++)
        {
            text.Append(t.ToString(CultureInfo.InvariantCulture));
            foreach (var s in result.Series) text.Append(',').Append(t < s.Norms.Count ? s.Norms[t].ToString("R", CultureInfo.InvariantCulture) : "");
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A spec's or run folder's short name: its file name without extension, or the folder's name.</summary>
    private static string Name(string specOrRun) => Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(specOrRun));
}
