using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Decoding;

namespace RnnGraph.Runtime.Runs;

/// <summary>One decoded output of an encoder-decoder: its tokens and text, its log-probability and score, and the attention that made it.</summary>
/// <param name="Attention">[output tokens (&lt;eos&gt; included when it ended with one), source tokens]; null when not asked for or without attention.</param>
public sealed record Translation(IReadOnlyList<string> SourceTokens, IReadOnlyList<string> Tokens, string Text, bool EndedWithEos,
                                 double LogProbability, double Score, float[,]? Attention);

/// <summary>One line of a file decoded by <see cref="Translations.TranslateFile"/>: its source, its reference when the line gave one, the output.</summary>
public sealed record FileTranslation(int Line, string Source, string? Reference, string Output, bool EndedWithEos);

/// <summary>
/// A file decoded by <see cref="Translations.TranslateFile"/>: every line's output in file order, and, when the lines are pairs,
/// the outputs scored against the references (sequence accuracy and token error rate, as a run reports them).
/// </summary>
public sealed record FileTranslations(IReadOnlyList<FileTranslation> Lines, SequenceScore? Score);

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
        var steps = EncoderDecoderTask.Steps(model.Compilation, model.Parameters);
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

    /// <summary>
    /// Decodes every non-blank line of <paramref name="path"/>, many at a time: greedy with width 1, else the best of a beam
    /// search of <paramref name="beamWidth"/>. A line is a source, or <c>source&lt;TAB&gt;reference</c> (the pairs a run trains
    /// on) when the first line has a tab; then every line must, and the outputs are scored against the references.
    /// <paramref name="progress"/> hears how many lines are decoded so far.
    /// </summary>
    public static FileTranslations TranslateFile(TrainedModel model, string path, int beamWidth, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        _ = model.Compilation.Model!.EncoderDecoder ?? throw new RunException("this run's model is not an encoder-decoder");
        if (!File.Exists(path)) throw new RunException($"input file '{path}' does not exist");
        var lines = TextLineReader.Read(path).ToList();
        if (lines.Count == 0) throw new RunException($"{path}: the file has no lines to decode; give one source per line");
        bool pairs = lines[0].Text.Contains('\t', StringComparison.Ordinal);
        var sources = new List<int[]>(lines.Count);
        var sourceTexts = new List<string>(lines.Count);
        var references = new List<(string Text, int[] Ids)?>(lines.Count);
        foreach (var line in lines)
        {
            int tab = line.Text.IndexOf('\t', StringComparison.Ordinal);
            if (pairs && tab < 0)
                throw new DataFileException(path, line.Line, 1, "the first line is 'source<TAB>reference' but this one has no tab; give every line a reference, or none");
            if (!pairs && tab >= 0)
                throw new DataFileException(path, line.Line, tab + 1, "the first line has no tab but this one does; give every line a reference (source<TAB>reference), or none");
            string source = pairs ? line.Text[..tab] : line.Text;
            sourceTexts.Add(source);
            var tokens = model.Tokenizer.Tokenize(source);
            if (tokens.Count == 0) throw new DataFileException(path, line.Line, 1, "the source is empty; every line needs a source to decode");
            sources.Add(model.Vocabulary.Encode(tokens));
            if (!pairs)
            {
                references.Add(null);
                continue;
            }
            string reference = line.Text[(tab + 1)..];
            var referenceTokens = model.TargetTokenizer!.Tokenize(reference);
            if (referenceTokens.Count == 0) throw new DataFileException(path, line.Line, tab + 2, "the reference (after the tab) is empty; give the expected output or leave out the tab");
            references.Add((reference, model.TargetVocabulary!.Encode(referenceTokens)));
        }

        var steps = EncoderDecoderTask.Steps(model.Compilation, model.Parameters);
        var options = EncoderDecoderTask.DecodingOptions(model.Compilation);
        var beam = EncoderDecoderTask.Beam(model.Settings with { BeamWidth = beamWidth });
        var hypotheses = EncoderDecoderDecoding.Decode(steps, sources, options, beam, progress: done => progress?.Invoke(done, sources.Count));
        var score = pairs ? new SequenceScore() : null;
        var result = new List<FileTranslation>(lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            var h = hypotheses[i];
            if (references[i] is { } r) score!.Add(h.Tokens, r.Ids);
            result.Add(new FileTranslation(lines[i].Line, sourceTexts[i], references[i]?.Text, model.TargetTokenizer!.Detokenize(model.TargetVocabulary!.Decode(h.Tokens)), h.EndedWithEos));
        }
        return new FileTranslations(result, score);
    }
}
