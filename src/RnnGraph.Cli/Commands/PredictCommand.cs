using System.Globalization;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph predict RUN --input TEXT</c>: scores a text with a trained language model and shows what it expects next.</summary>
public sealed class PredictCommand : ICommand
{
    public CommandSpec Spec { get; } = new("predict", "Score a text with the language model of a run folder and list the most probable next tokens.",
        ["RUN"],
        [
            new OptionSpec("--input", "TEXT", "the text to score", Required: true),
            new OptionSpec("--top", "K", "how many next tokens to list (default 5)"),
        ],
        "Prints the text's token count, log-likelihood and perplexity (its tokens and the closing <eos>),\nthen the K most probable tokens to follow it.");

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
