using RnnGraph.Runtime.Decoding;

namespace RnnGraph.Runtime.Runs;

/// <summary>One decoded output of an encoder-decoder: its tokens and text, its log-probability and score, and the attention that made it.</summary>
/// <param name="Attention">[output tokens (&lt;eos&gt; included when it ended with one), source tokens]; null when not asked for or without attention.</param>
public sealed record Translation(IReadOnlyList<string> SourceTokens, IReadOnlyList<string> Tokens, string Text, bool EndedWithEos,
                                 double LogProbability, double Score, float[,]? Attention);

/// <summary>Decodes texts with a trained encoder-decoder (<c>rnngraph predict</c>).</summary>
public static class Translations
{
    /// <summary>
    /// The <paramref name="nBest"/> best outputs for <paramref name="text"/>: greedy with width 1, else beam search of
    /// <paramref name="beamWidth"/> ranked by the run's length penalty; with <paramref name="withAttention"/>, each output's attention.
    /// </summary>
    public static IReadOnlyList<Translation> Translate(TrainedModel model, string text, int beamWidth, int nBest, bool withAttention)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(text);
        var parts = model.Compilation.Model!.EncoderDecoder ?? throw new RunException("this run's model is not an encoder-decoder");
        var sourceTokens = model.Tokenizer.Tokenize(text);
        if (sourceTokens.Count == 0) throw new RunException("the input has no tokens to encode; give a non-empty --input");
        if (nBest > beamWidth) throw new RunException($"--n-best {nBest} needs a beam at least as wide; use --beam {nBest} or more");
        var source = model.Vocabulary.Encode(sourceTokens);
        var steps = new EncoderDecoderSteps(model.Compilation, model.Parameters, EncoderDecoderTask.Banned.ToArray());
        var options = EncoderDecoderTask.DecodingOptions(model.Compilation);
        steps.Encode([source], beamWidth);
        IReadOnlyList<Hypothesis> hypotheses = beamWidth <= 1
            ? GreedyDecoder.Decode(steps, 1, options)
            : BeamSearchDecoder.Decode(steps, 1, options, EncoderDecoderTask.Beam(model.Settings with { BeamWidth = beamWidth })! with { NBest = nBest })[0];
        var target = model.TargetVocabulary!;
        return hypotheses.Take(nBest).Select(h =>
        {
            var tokens = target.Decode(h.Tokens);
            float[,]? attention = null;
            if (withAttention && parts.Attention != "none")
            {
                var fed = h.EndedWithEos ? h.Tokens.Append(options.EndToken).ToList() : h.Tokens.ToList();
                attention = EncoderDecoderDecoding.Attention(steps, source, fed, options);
            }
            return new Translation(sourceTokens, tokens, model.TargetTokenizer!.Detokenize(tokens), h.EndedWithEos, h.LogProbability, h.Score, attention);
        }).ToList();
    }
}
