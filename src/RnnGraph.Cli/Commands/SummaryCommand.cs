using System.Globalization;
using System.Text.Json;
using RnnGraph.Cli.Progress;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Analysis;
using RnnGraph.Compiler.Binding;
using RnnGraph.Dsl.Spec;
using Spectre.Console;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph summary SPEC</c>: a table of the model's layers with parameters, FLOPs and activation memory.</summary>
public sealed class SummaryCommand : ICommand
{
    /// <summary>The table's width when the output is not a terminal, so redirected output never depends on one.</summary>
    internal const int PlainWidth = 160;

    public CommandSpec Spec { get; } = new("summary", "Print a table of the model's layers: output shape, parameters, FLOPs per step and per sequence, activation memory.",
        ["SPEC"],
        [
            new OptionSpec("--steps", "T", "sequence length the per-sequence columns count (default: 32)"),
            new OptionSpec("--batch", "B", "batch size the FLOPs and activations count (default: 32)"),
            new OptionSpec("--format", "FORMAT", "text | json (default: text)", Choices: ["text", "json"]),
            OptionSpec.Set,
        ],
        "Counted from the compiled forward graph (see docs/pictures/summary.md): FLOPs count a multiply-add as 2 and each\n" +
        "elementwise op as 1 per element; per step = the graph at T=2 minus T=1; activations are float32 node outputs at T and B.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        int steps = args.IntOption("--steps", 32, min: 1);
        int batch = args.IntOption("--batch", 32, min: 1);
        var compilation = SpecLoader.Load(args.Positionals[0], args.List("--set"), context.Out, context.Error);
        if (compilation is null) return 1;
        var summary = ModelSummary.Compute(compilation, steps, batch);
        if (args.Option("--format") == "json")
        {
            context.Out.WriteLine(JsonSerializer.Serialize(summary, JsonOptions));
            return 0;
        }
        Render(summary, context.Out);
        if (UsesPlaceholderVocabulary(compilation))
            context.Out.WriteLine($"vocab/units auto count as the placeholder {ModelBinder.PlaceholderVocabulary} until data is read; summarize a run folder's spec.yaml for the trained sizes.");
        return 0;
    }

    /// <summary><c>vocab: auto</c> or <c>units: auto</c> bound without a run folder's vocabulary.</summary>
    private static bool UsesPlaceholderVocabulary(Compilation compilation) =>
        compilation.Document?.Model is { } spec
        && (spec.Inputs.Any(i => i.VocabFromData) || spec.Layers.OfType<DenseLayerSpec>().Any(d => d.UnitsFromData))
        && (compilation.Model!.Input.Vocab == ModelBinder.PlaceholderVocabulary || compilation.Model.FeedbackVocab == ModelBinder.PlaceholderVocabulary
            || compilation.Model.Layers[^1] is BoundDenseLayer { Units: ModelBinder.PlaceholderVocabulary });

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The table and its footer: on an interactive terminal a Spectre table; otherwise (pipes, files, tests) a
    /// Markdown table without colors or trailing spaces, laid out at a fixed width so it never depends on a terminal.
    /// </summary>
    internal static void Render(ModelSummary summary, TextWriter output)
    {
        bool terminal = RunObservers.IsInteractiveTerminal(output, Console.Out, Console.IsOutputRedirected, Environment.GetEnvironmentVariable);
        if (terminal)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            console.Write(Table(summary, TableBorder.Simple));
        }
        else output.Write(PlainTable(summary));
        output.WriteLine();
        foreach (string line in Footer(summary)) output.WriteLine(line);
    }

    /// <summary>The table as Markdown text, the same whatever the terminal.</summary>
    internal static string PlainTable(ModelSummary summary)
    {
        var text = new StringWriter { NewLine = "\n" };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = PlainWidth;
        console.Write(Table(summary, TableBorder.Markdown));
        var lines = text.ToString().ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0);
        return string.Concat(lines.Select(l => l + "\n"));
    }

    private static Table Table(ModelSummary summary, TableBorder border)
    {
        var table = new Table().Border(border);
        var headers = SummaryFormat.Headers(summary);
        for (int i = 0; i < headers.Count; i++)
            table.AddColumn(i < 3 ? new TableColumn(headers[i]) : new TableColumn(headers[i]).RightAligned());
        foreach (var row in SummaryFormat.Rows(summary)) table.AddRow(row.Select(cell => new Text(cell)).ToArray());
        return table;
    }

    private static IEnumerable<string> Footer(ModelSummary summary) => SummaryFormat.Notes(summary);
}
