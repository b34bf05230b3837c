namespace RnnGraph.Runtime.Decoding;

/// <summary>
/// Greedy decoding, batched over sources: every step feeds each unfinished source's previous token (the start token
/// first) and takes the most probable next token (the lowest id among equals), until &lt;eos&gt; or the maximum
/// length. Finished sources leave the batch. The hypothesis' score is its log-probability (no length penalty).
/// </summary>
public static class GreedyDecoder
{
    /// <summary>One hypothesis per source 0..<paramref name="sourceCount"/>-1, in source order.</summary>
    public static IReadOnlyList<Hypothesis> Decode(IDecoderStep model, int sourceCount, DecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(sourceCount);
        int vocabulary = model.VocabularySize;
        options.Validate(vocabulary);
        var results = new Hypothesis[sourceCount];
        if (sourceCount == 0)
            return results;

        var tokens = new List<int>[sourceCount];
        var logProbability = new double[sourceCount];
        int[] sourceOfSlot = Enumerable.Range(0, sourceCount).ToArray();
        for (int s = 0; s < sourceCount; s++)
            tokens[s] = new List<int>();
        model.Start(sourceOfSlot);
        int[] feed = Enumerable.Repeat(options.StartToken, sourceCount).ToArray();
        var rows = new float[sourceCount * vocabulary];
        var keep = new List<int>(sourceCount);

        for (int step = 1; step <= options.MaxLength; step++)
        {
            int slots = sourceOfSlot.Length;
            var logProbs = rows.AsSpan(0, slots * vocabulary);
            model.Step(feed, logProbs);
            LogProbabilityRows.Check(logProbs, vocabulary);
            keep.Clear();
            for (int slot = 0; slot < slots; slot++)
            {
                var row = logProbs.Slice(slot * vocabulary, vocabulary);
                int best = ArgMax(row, slot);
                int source = sourceOfSlot[slot];
                logProbability[source] += row[best];
                if (best == options.EndToken)
                {
                    results[source] = new Hypothesis(tokens[source], true, logProbability[source], logProbability[source]);
                    continue;
                }
                tokens[source].Add(best);
                if (step == options.MaxLength)
                    results[source] = new Hypothesis(tokens[source], false, logProbability[source], logProbability[source]);
                else
                    keep.Add(slot);
            }
            if (keep.Count == 0)
                break;
            if (keep.Count < slots)
            {
                int[] parents = keep.ToArray();
                model.Reorder(parents);
                sourceOfSlot = parents.Select(p => sourceOfSlot[p]).ToArray();
            }
            feed = sourceOfSlot.Select(s => tokens[s][^1]).ToArray();
        }
        return results;
    }

    private static int ArgMax(ReadOnlySpan<float> row, int slot)
    {
        int best = -1;
        for (int v = 0; v < row.Length; v++)
            if (row[v] > float.NegativeInfinity && (best < 0 || row[v] > row[best]))
                best = v;
        if (best < 0)
            throw new InvalidOperationException($"the decoder step gave every token of row {slot} log-probability -infinity");
        return best;
    }
}
