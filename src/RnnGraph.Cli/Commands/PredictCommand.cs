using System.Globalization;
using RnnGraph.Runtime.Data;
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
            new OptionSpec("--input", "TEXT", "the text to score", Required: true),
            new OptionSpec("--top", "K", "language models: how many next tokens to list (default 5)"),
        ],
        "A language model prints the text's token count, log-likelihood and perplexity (its tokens and the closing\n<eos>), then the K most probable tokens to follow it. A classifier prints the most probable label, then\nevery label with its probability. A one-to-many model prints the label under which the text is likeliest,\nthen every label's log-likelihood of the text and its probability under equal priors.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        int top = args.IntOption("--top", 5, 1);
        TrainedModel model;
        try { model = TrainedModel.Load(args.Positionals[0]); }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
        try
        {
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

    /// <summary>Whitespace tokens shown so they can be seen.</summary>
    private static string Visible(string token) => token switch { " " => "' '", "\n" => "'\\n'", "\t" => "'\\t'", _ => token };
}
