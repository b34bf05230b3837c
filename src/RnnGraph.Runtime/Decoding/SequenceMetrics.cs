namespace RnnGraph.Runtime.Decoding;

/// <summary>Distances between token sequences, for scoring decoded outputs against their references.</summary>
public static class SequenceMetrics
{
    /// <summary>
    /// The Levenshtein distance: the fewest insertions, deletions and substitutions (each costing 1) that turn
    /// <paramref name="a"/> into <paramref name="b"/>. Time O(|a|·|b|), memory O(min(|a|, |b|)). Elements are compared
    /// with <see cref="EqualityComparer{T}.Default"/>.
    /// </summary>
    public static int EditDistance<T>(IReadOnlyList<T> a, IReadOnlyList<T> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        // The distance is symmetric, so the row can run over the shorter sequence.
        if (b.Count > a.Count) (a, b) = (b, a);
        if (b.Count == 0) return a.Count;

        var comparer = EqualityComparer<T>.Default;
        // row[j] = distance between the first i elements of a and the first j of b, for the current i.
        var row = new int[b.Count + 1];
        for (int j = 0; j <= b.Count; j++) row[j] = j;
        for (int i = 1; i <= a.Count; i++)
        {
            int diagonal = row[0]; // distance(a[..i-1], b[..j-1]) as j advances
            row[0] = i;
            T ai = a[i - 1];
            for (int j = 1; j <= b.Count; j++)
            {
                int above = row[j];
                int substitute = diagonal + (comparer.Equals(ai, b[j - 1]) ? 0 : 1);
                row[j] = Math.Min(substitute, Math.Min(above, row[j - 1]) + 1);
                diagonal = above;
            }
        }
        return row[b.Count];
    }
}

/// <summary>
/// Sums the scores of decoded sequences against their references: how many matched exactly (word accuracy, for
/// grapheme-to-phoneme: whole words right) and the edit distances over the reference lengths (the token error rate;
/// for grapheme-to-phoneme the phoneme error rate).
/// </summary>
public sealed class SequenceScore
{
    /// <summary>The number of (predicted, reference) pairs added.</summary>
    public int Count { get; private set; }

    /// <summary>The pairs whose prediction equals its reference token for token.</summary>
    public int Exact { get; private set; }

    /// <summary>The sum of the pairs' edit distances.</summary>
    public long Edits { get; private set; }

    /// <summary>The sum of the references' lengths.</summary>
    public long ReferenceTokens { get; private set; }

    /// <summary><see cref="Exact"/> / <see cref="Count"/>; NaN before any pair was added.</summary>
    public double WordAccuracy => Count == 0 ? double.NaN : (double)Exact / Count;

    /// <summary>
    /// <see cref="Edits"/> / <see cref="ReferenceTokens"/> (can exceed 1 when predictions are longer than their
    /// references); NaN before any pair was added; when every reference was empty, 0 without edits and +∞ with some.
    /// </summary>
    public double TokenErrorRate =>
        Count == 0 ? double.NaN
        : ReferenceTokens > 0 ? (double)Edits / ReferenceTokens
        : Edits == 0 ? 0 : double.PositiveInfinity;

    /// <summary>Scores one decoded sequence against its reference.</summary>
    public void Add(IReadOnlyList<int> predicted, IReadOnlyList<int> reference)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(reference);
        int distance = SequenceMetrics.EditDistance(predicted, reference);
        Count++;
        if (distance == 0) Exact++;
        Edits += distance;
        ReferenceTokens += reference.Count;
    }

    public override string ToString() =>
        FormattableString.Invariant($"{Count} sequences, {Exact} exact (word accuracy {WordAccuracy:F4}), {Edits} edits in {ReferenceTokens} reference tokens (token error rate {TokenErrorRate:F4})");
}
