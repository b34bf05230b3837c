using System.Globalization;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Decoding;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Cli.Commands;

/// <summary>
/// <c>rnngraph predict RUN --input TEXT</c>: with a language model, scores the text and shows what it expects next;
/// with a classifier, gives the text's label and every label's probability.
/// </summary>
public sealed class PredictCommand : ICommand
{
    public CommandSpec Spec { get; } = new("predict", "Use the model of a run folder on a text: a language model scores it and lists the most probable next tokens; a classifier labels it.",
        ["RUN"],
        [
            new OptionSpec("--input", "TEXT", "the text to score"),
            new OptionSpec("--input-file", "FILE", "encoder-decoders: decode every line of FILE (a source, or source<TAB>reference to score the outputs)"),
            new OptionSpec("--out", "FILE.tsv", "with --input-file: write the outputs there (source, [reference,] prediction) instead of to standard output"),
            new OptionSpec("--top", "K", "language models: how many next tokens to list (default 5)"),
            new OptionSpec("--beam", "K", "encoder-decoders: the beam width (default the run's generation.beam_width; 1 decodes greedily)"),
            new OptionSpec("--n-best", "N", "encoder-decoders: how many of the best outputs to print (default 1; at most the beam width)"),
            new OptionSpec("--show-attention", "FILE", "encoder-decoders: write the best output's attention over the input as an SVG heat map"),
        ],
        "A language model prints the text's token count, log-likelihood and perplexity (its tokens and the closing\n<eos>), then the K most probable tokens to follow it. A classifier prints the most probable label, then\nevery label with its probability. A one-to-many model prints the label under which the text is likeliest,\nthen every label's log-likelihood of the text and its probability under equal priors. An encoder-decoder\nprints the decoded output (greedy, or beam search with --beam) with its log-probability; --show-attention\nwrites which input tokens each output token attended to. --input-file decodes a whole file, many lines at a\ntime, into a tab-separated table; when its lines are pairs (source<TAB>reference, like a run's data) the\noutputs are scored: sequence accuracy and token error rate, as rnngraph run reports them.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        int top = args.IntOption("--top", 5, 1);
        bool fromFile = args.Option("--input-file") is not null;
        if (fromFile == (args.Option("--input") is not null))
            throw new UsageException(fromFile ? "give --input TEXT or --input-file FILE, not both" : "'predict' needs --input TEXT (or --input-file FILE)");
        if (args.Option("--out") is not null && !fromFile) throw new UsageException("--out writes the outputs of --input-file; give --input-file FILE");
        TrainedModel model;
        try { model = TrainedModel.Load(args.Positionals[0]); }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
        try
        {
            if (fromFile && !model.Compilation.Model!.IsEncoderDecoder)
                throw new RunException("--input-file decodes a file with an encoder-decoder; this run's model is not one: give --input TEXT");
            if (fromFile) return TranslateFile(model, args, context);
            if (model.Compilation.Model!.IsEncoderDecoder) return Translate(model, args, context);
            if (model.Labels is { } conditions && model.Compilation.Model!.OneToMany)
            {
                // Which label makes the text likeliest: log-likelihoods, and the posterior under equal priors.
                var scores = model.ScoreLabels(args.Option("--input")!);
                double[] posterior = scores.Length == 1 ? [1.0] : LabelProbabilities.From(scores.Select(s => (float)s).ToArray());
                int likeliest = Array.IndexOf(scores, scores.Max());
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"likeliest label: {conditions[likeliest]} ({posterior[likeliest]:0.0000} with equal priors)"));
                foreach (int i in Enumerable.Range(0, conditions.Count).OrderByDescending(i => scores[i]).ThenBy(i => i))
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {conditions[i],-12} log-likelihood {scores[i]:0.0000}  p {posterior[i]:0.0000}"));
                return 0;
            }
            if (model.Labels is { } labels)
            {
                var probabilities = model.Classify(args.Option("--input")!);
                int best = Array.IndexOf(probabilities, probabilities.Max());
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"label: {labels[best]} ({probabilities[best]:0.0000})"));
                foreach (int i in Enumerable.Range(0, labels.Count).OrderByDescending(i => probabilities[i]).ThenBy(i => i))
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {labels[i],-12} {probabilities[i]:0.0000}"));
                return 0;
            }
            var score = TextScorer.Score(model, args.Option("--input")!, top);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{score.Tokens} tokens scored: log-likelihood {score.LogLikelihood:0.0000}, perplexity {score.Perplexity:0.000}"));
            context.Out.WriteLine("next:");
            foreach (var (token, p) in score.Next)
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Visible(token),-8} {p:0.0000}"));
            return 0;
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
    }

    /// <summary>An encoder-decoder: the best outputs, each with its log-probability, and the attention heat map when asked for.</summary>
    private static int Translate(TrainedModel model, ParsedArguments args, CliContext context)
    {
        int beam = args.IntOption("--beam", model.Settings.BeamWidth, 1);
        int nBest = args.IntOption("--n-best", 1, 1);
        string? svg = args.Option("--show-attention");
        if (svg is not null && model.Compilation.Model!.EncoderDecoder!.Attention == "none")
            throw new RunException("--show-attention: this model has no attention (model.attention is none)");
        var outputs = Translations.Translate(model, args.Option("--input")!, beam, nBest, svg is not null);
        string how = beam <= 1 ? "greedy" : $"beam {beam}";
        foreach (var (output, rank) in outputs.Select((o, i) => (o, i + 1)))
        {
            string end = output.EndedWithEos ? "" : " (no <eos> within max_output_length)";
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(outputs.Count > 1 ? $"{rank}. " : "")}{output.Text}{end}"));
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {how}: {output.Tokens.Count} tokens, log-probability {output.LogProbability:0.0000}{(beam > 1 ? $", score {output.Score:0.0000}" : "")}"));
        }
        if (svg is not null)
        {
            var best = outputs[0];
            var rows = best.EndedWithEos ? best.Tokens.Append("<eos>").ToList() : best.Tokens.ToList();
            string title = $"attention: {string.Concat(best.SourceTokens)} → {best.Text}";
            AtomicFile.WriteAllText(svg, AttentionHeatmapSvg.Render(best.SourceTokens.Select(Visible).ToList(), rows, best.Attention!, title));
            context.Out.WriteLine($"wrote {svg}");
        }
        return 0;
    }

    /// <summary>An encoder-decoder on every line of a file: a table of outputs, scored when the lines carry references.</summary>
    private static int TranslateFile(TrainedModel model, ParsedArguments args, CliContext context)
    {
        int beam = args.IntOption("--beam", model.Settings.BeamWidth, 1);
        foreach (string option in new[] { "--n-best", "--show-attention", "--top" })
            if (args.Option(option) is not null) throw new UsageException($"{option} is for a single --input; --input-file prints the best output of each line");
        string path = args.Option("--input-file")!;
        string? outPath = args.Option("--out");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var decoded = Progress.WorkProgress.Run(context.Error, $"decoding {Path.GetFileName(path)}", progress => Translations.TranslateFile(model, path, beam, progress));
        double seconds = clock.Elapsed.TotalSeconds;
        bool pairs = decoded.Score is not null;
        var table = new System.Text.StringBuilder(pairs ? "source\treference\tprediction\n" : "source\tprediction\n");
        foreach (var line in decoded.Lines)
        {
            table.Append(line.Source).Append('\t');
            if (pairs) table.Append(line.Reference).Append('\t');
            table.Append(line.Output).Append('\n');
        }
        string how = beam <= 1 ? "greedy" : $"beam {beam}";
        string summary = string.Create(CultureInfo.InvariantCulture, $"{decoded.Lines.Count} lines decoded ({how}) in {seconds:0.0} s");
        if (decoded.Score is { } score)
            summary += string.Create(CultureInfo.InvariantCulture, $": sequence accuracy {score.WordAccuracy:0.00%}, token error rate {score.TokenErrorRate:0.00%}");
        int unfinished = decoded.Lines.Count(l => !l.EndedWithEos);
        if (unfinished > 0) summary += $"; {unfinished} without <eos> within max_output_length";
        if (outPath is null)
        {
            // The table alone on standard output, so it can be piped; the summary beside it on standard error.
            context.Out.Write(table.ToString());
            context.Error.WriteLine(summary);
            return 0;
        }
        AtomicFile.WriteAllText(outPath, table.ToString());
        context.Out.WriteLine(summary);
        context.Out.WriteLine($"wrote {outPath}");
        return 0;
    }

    /// <summary>Whitespace tokens shown so they can be seen.</summary>
    private static string Visible(string token) => token switch { " " => "' '", "\n" => "'\\n'", "\t" => "'\\t'", _ => token };
}
