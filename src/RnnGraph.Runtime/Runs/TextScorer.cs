using RnnGraph.Compiler.Binding;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Evaluation;

namespace RnnGraph.Runtime.Runs;

/// <summary>How likely a trained language model finds a text, and what it expects next.</summary>
public sealed record TextScore(int Tokens, double LogLikelihood, IReadOnlyList<(string Token, double Probability)> Next)
{
    /// <summary>exp(-mean log-probability) over the scored tokens (those of the text and the closing &lt;eos&gt;).</summary>
    public double Perplexity => Math.Exp(-LogLikelihood / Tokens);
}

/// <summary>
/// Scores a text with a trained language model in one forward pass over &lt;bos&gt; text: the log-probability of
/// every token of the text and of &lt;eos&gt; after it, and the most probable tokens to follow the text.
/// </summary>
public static class TextScorer
{
    public static TextScore Score(TrainedModel model, string text, int top = 5)
    {
        var ids = new List<int> { SpecialTokens.BosId };
        ids.AddRange(model.Vocabulary.Encode(model.Tokenizer.Tokenize(text)));
        var bound = model.Compilation.Model!;
        int steps = ids.Count, vocab = model.Vocabulary.Count;
        var weights = model.Parameters.ToDictionary(p => p.Name, p => new HostArray<float>(p.Shape, p.Value));
        var x = new HostArray<float>(bound.BatchFirst ? [1, steps] : [steps, 1], ids.Select(i => (float)i).ToArray());
        var y = ModelEvaluator<float>.Evaluate(model.Compilation, weights, new Dictionary<string, HostArray<float>> { [bound.Input.Name] = x })[ModelNames.Output].Data;

        double logLikelihood = 0;
        float[] last = [];
        for (int t = 0; t < steps; t++)
        {
            var p = NextTokenDistribution.From(bound, y.AsSpan(t * vocab, vocab));
            int next = t + 1 < steps ? ids[t + 1] : SpecialTokens.EosId;
            logLikelihood += Math.Log(Math.Max(p[next], double.Epsilon));
            last = p;
        }
        var best = Enumerable.Range(0, vocab).Where(i => i is not (SpecialTokens.PadId or SpecialTokens.BosId))
            .OrderByDescending(i => last[i]).ThenBy(i => i).Take(top)
            .Select(i => (model.Vocabulary.TokenOf(i), (double)last[i])).ToList();
        return new TextScore(steps, logLikelihood, best);
    }
}
