namespace RnnGraph.Runtime.Decoding;

/// <summary>
/// Beam search, batched over sources: one <see cref="IDecoderStep.Step"/> call per output position for the live
/// hypotheses of every unfinished source.
/// <para>Each source starts with one empty live hypothesis. At every step all one-token extensions of a source's
/// live hypotheses are ranked by log-probability (ties: lower parent slot, then lower token first); each of the
/// first <c>Width</c> extensions that ends in &lt;eos&gt; becomes a finished hypothesis, and the first <c>Width</c>
/// that do not become the next live hypotheses. Live hypotheses still open at the maximum length finish there
/// without &lt;eos&gt;.</para>
/// <para>A source is done when it has no live hypothesis, or when its <c>NBest</c>-th best finished score is at
/// least log p / penalty(max length) of every live hypothesis: log-probabilities only fall and the penalty's
/// divisor only grows with the length, so no live hypothesis can still beat it.</para>
/// </summary>
public static class BeamSearchDecoder
{
    private readonly record struct Live(int Source, int[] Tokens, double LogProbability);

    private readonly record struct Candidate(double LogProbability, int Parent, int Token);

    private static readonly Comparison<Candidate> BestFirst = (a, b) =>
    {
        int c = b.LogProbability.CompareTo(a.LogProbability);
        if (c != 0)
            return c;
        c = a.Parent.CompareTo(b.Parent);
        return c != 0 ? c : a.Token.CompareTo(b.Token);
    };

    /// <summary>
    /// For each source 0..<paramref name="sourceCount"/>-1, its best finished hypotheses, best score first (ties keep
    /// the order they finished in), at most <c>NBest</c>; empty if the model made every continuation impossible.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<Hypothesis>> Decode(IDecoderStep model, int sourceCount, DecodingOptions options, BeamSearchOptions beam)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(beam);
        ArgumentOutOfRangeException.ThrowIfNegative(sourceCount);
        int vocabulary = model.VocabularySize;
        options.Validate(vocabulary);
        beam.Validate();

        var finished = new List<Hypothesis>[sourceCount];
        var live = new List<Live>(sourceCount);
        for (int s = 0; s < sourceCount; s++)
        {
            finished[s] = new List<Hypothesis>();
            live.Add(new Live(s, [], 0.0));
        }
        if (sourceCount > 0)
            model.Start(Enumerable.Range(0, sourceCount).ToArray());
        int[] feed = Enumerable.Repeat(options.StartToken, sourceCount).ToArray();
        var rows = Array.Empty<float>();
        var candidates = new List<Candidate>();
        double bestDivisor = beam.Penalty.Divisor(options.MaxLength);

        for (int step = 1; step <= options.MaxLength && live.Count > 0; step++)
        {
            int slots = live.Count;
            if (rows.Length < slots * vocabulary)
                rows = new float[slots * vocabulary];
            var logProbs = rows.AsSpan(0, slots * vocabulary);
            model.Step(feed, logProbs);
            LogProbabilityRows.Check(logProbs, vocabulary);

            var next = new List<Live>(slots);
            var parents = new List<int>(slots);
            for (int first = 0; first < slots;)
            {
                int source = live[first].Source, end = first;
                while (end < slots && live[end].Source == source)
                    end++;
                candidates.Clear();
                for (int parent = first; parent < end; parent++)
                {
                    var row = logProbs.Slice(parent * vocabulary, vocabulary);
                    for (int token = 0; token < vocabulary; token++)
                        if (row[token] > float.NegativeInfinity)
                            candidates.Add(new Candidate(live[parent].LogProbability + row[token], parent, token));
                }
                candidates.Sort(BestFirst);

                int groupStart = next.Count;
                for (int rank = 0; rank < candidates.Count && (rank < beam.Width || next.Count - groupStart < beam.Width); rank++)
                {
                    var c = candidates[rank];
                    if (c.Token == options.EndToken)
                    {
                        if (rank < beam.Width)
                            finished[source].Add(new Hypothesis(live[c.Parent].Tokens, true, c.LogProbability, beam.Penalty.Score(c.LogProbability, step)));
                    }
                    else if (next.Count - groupStart < beam.Width)
                    {
                        next.Add(new Live(source, [.. live[c.Parent].Tokens, c.Token], c.LogProbability));
                        parents.Add(c.Parent);
                    }
                }

                if (step == options.MaxLength)
                {
                    for (int i = groupStart; i < next.Count; i++)
                        finished[source].Add(new Hypothesis(next[i].Tokens, false, next[i].LogProbability, beam.Penalty.Score(next[i].LogProbability, step)));
                    Drop(next, parents, groupStart);
                }
                else if (CannotImprove(finished[source], next, groupStart, beam.NBest, bestDivisor))
                {
                    Drop(next, parents, groupStart);
                }
                first = end;
            }

            if (next.Count == 0)
                break;
            model.Reorder(parents.ToArray());
            live = next;
            feed = live.Select(h => h.Tokens[^1]).ToArray();
        }

        var results = new IReadOnlyList<Hypothesis>[sourceCount];
        for (int s = 0; s < sourceCount; s++)
            results[s] = finished[s].OrderByDescending(h => h.Score).Take(beam.NBest).ToArray();
        return results;
    }

    /// <summary>True when the n-th best finished score is at least the best score any live hypothesis of the group
    /// (<paramref name="next"/> from <paramref name="groupStart"/>) can still reach.</summary>
    private static bool CannotImprove(List<Hypothesis> finished, List<Live> next, int groupStart, int nBest, double bestDivisor)
    {
        if (finished.Count < nBest)
            return false;
        double reachable = double.NegativeInfinity;
        for (int i = groupStart; i < next.Count; i++)
            reachable = Math.Max(reachable, next[i].LogProbability / bestDivisor);
        double nth = finished.Select(h => h.Score).OrderByDescending(x => x).ElementAt(nBest - 1);
        return nth >= reachable;
    }

    private static void Drop(List<Live> next, List<int> parents, int groupStart)
    {
        next.RemoveRange(groupStart, next.Count - groupStart);
        parents.RemoveRange(groupStart, parents.Count - groupStart);
    }
}
