using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RnnGraph.Runtime.Decoding;

namespace RnnGraph.Runtime.Tests.Decoding;

/// <summary>Edit distance on hand-derived cases, against the recursive definition, and the metric axioms as properties;
/// the sequence score's sums and rates on a hand-counted batch.</summary>
public sealed class SequenceMetricsTests
{
    private static int Distance(string a, string b) => SequenceMetrics.EditDistance(a.ToCharArray(), b.ToCharArray());

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("", "abc", 3)]           // three insertions
    [InlineData("abc", "", 3)]           // three deletions
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "abxc", 1)]       // insert x
    [InlineData("abc", "ac", 1)]         // delete b
    [InlineData("abc", "adc", 1)]        // substitute b -> d
    [InlineData("kitten", "sitting", 3)] // k -> s, e -> i, insert g
    [InlineData("flaw", "lawn", 2)]      // delete f, insert n
    [InlineData("sunday", "saturday", 3)] // insert a, insert t, n -> r
    [InlineData("ab", "ba", 2)]          // no transpositions: two substitutions
    [InlineData("abc", "xyz", 3)]
    [InlineData("a", "aaaa", 3)]
    public void HandDerivedDistances(string a, string b, int expected)
    {
        Assert.Equal(expected, Distance(a, b));
        Assert.Equal(expected, Distance(b, a));
    }

    [Fact]
    public void TokensCompareByValue()
    {
        int[] phonemes = [3, 14, 15, 9, 2];
        Assert.Equal(0, SequenceMetrics.EditDistance(phonemes, phonemes.ToList()));
        Assert.Equal(2, SequenceMetrics.EditDistance(phonemes, new[] { 3, 15, 9, 2, 6 }));
        Assert.Equal(1, SequenceMetrics.EditDistance(new[] { "HH", "AH0", "L", "OW1" }, new[] { "HH", "EH0", "L", "OW1" }));
        Assert.Throws<ArgumentNullException>(() => SequenceMetrics.EditDistance(null!, phonemes));
    }

    // Small alphabets, so that sequences share tokens and the interesting alignments occur.
    private static Arbitrary<int[]> Sequences(int alphabet) => Gen.Choose(0, alphabet - 1).ArrayOf().ToArbitrary();

    /// <summary>The textbook recurrence, top down over the whole table: an independent reference.</summary>
    private static int ReferenceDistance(int[] a, int[] b)
    {
        var memo = new int?[a.Length + 1, b.Length + 1];
        int D(int i, int j)
        {
            if (i == 0) return j;
            if (j == 0) return i;
            if (memo[i, j] is int known) return known;
            int value = Math.Min(Math.Min(D(i - 1, j) + 1, D(i, j - 1) + 1), D(i - 1, j - 1) + (a[i - 1] == b[j - 1] ? 0 : 1));
            memo[i, j] = value;
            return value;
        }
        return D(a.Length, b.Length);
    }

    [Property(MaxTest = 300)]
    public Property EqualsTheRecursiveDefinition() =>
        Prop.ForAll(Sequences(3), Sequences(3), (a, b) => SequenceMetrics.EditDistance(a, b) == ReferenceDistance(a, b));

    [Property(MaxTest = 300)]
    public Property IsSymmetric() =>
        Prop.ForAll(Sequences(4), Sequences(4), (a, b) => SequenceMetrics.EditDistance(a, b) == SequenceMetrics.EditDistance(b, a));

    [Property(MaxTest = 300)]
    public Property SatisfiesTheTriangleInequality() =>
        Prop.ForAll(Sequences(3), Sequences(3), Sequences(3), (a, b, c) =>
            SequenceMetrics.EditDistance(a, c) <= SequenceMetrics.EditDistance(a, b) + SequenceMetrics.EditDistance(b, c));

    [Property(MaxTest = 300)]
    public Property IsBoundedByTheLengths() =>
        Prop.ForAll(Sequences(4), Sequences(4), (a, b) =>
        {
            int d = SequenceMetrics.EditDistance(a, b);
            return Math.Abs(a.Length - b.Length) <= d && d <= Math.Max(a.Length, b.Length);
        });

    [Property(MaxTest = 300)]
    public Property IsZeroExactlyForEqualSequences() =>
        Prop.ForAll(Sequences(2), Sequences(2), (a, b) =>
            SequenceMetrics.EditDistance(a, a) == 0 && (SequenceMetrics.EditDistance(a, b) == 0) == a.SequenceEqual(b));

    [Property(MaxTest = 200)]
    public Property OneEditCostsAtMostOne() =>
        Prop.ForAll(Sequences(4), Gen.Choose(0, 1000).ToArbitrary(), Gen.Choose(0, 2).ToArbitrary(), (a, position, kind) =>
        {
            var b = a.ToList();
            int at = a.Length == 0 ? 0 : position % (kind == 0 ? a.Length + 1 : a.Length);
            if (kind == 0) b.Insert(at, 7);
            else if (a.Length > 0 && kind == 1) b.RemoveAt(at);
            else if (a.Length > 0) b[at] = 7;
            return SequenceMetrics.EditDistance(a, b) <= 1;
        });

    [Fact]
    public void ScoreSumsAHandCountedBatch()
    {
        var score = new SequenceScore();
        score.Add([1, 2, 3], [1, 2, 3]);    // exact: 0 edits, 3 reference tokens
        score.Add([1, 2], [1, 3, 4]);       // 2 -> 3, insert 4: 2 edits, 3 tokens
        score.Add([], [5]);                 // insert 5: 1 edit, 1 token
        score.Add([6, 6], []);              // delete both: 2 edits, 0 tokens
        Assert.Equal(4, score.Count);
        Assert.Equal(1, score.Exact);
        Assert.Equal(5, score.Edits);
        Assert.Equal(7, score.ReferenceTokens);
        Assert.Equal(0.25, score.WordAccuracy, 12);
        Assert.Equal(5.0 / 7.0, score.TokenErrorRate, 12);
        Assert.Equal("4 sequences, 1 exact (word accuracy 0.2500), 5 edits in 7 reference tokens (token error rate 0.7143)", score.ToString());
    }

    [Fact]
    public void ScoreRatesWithoutData()
    {
        var empty = new SequenceScore();
        Assert.True(double.IsNaN(empty.WordAccuracy));
        Assert.True(double.IsNaN(empty.TokenErrorRate));

        var emptyReferences = new SequenceScore();
        emptyReferences.Add([], []);
        Assert.Equal(1.0, emptyReferences.WordAccuracy);
        Assert.Equal(0.0, emptyReferences.TokenErrorRate);
        emptyReferences.Add([1], []);
        Assert.Equal(0.5, emptyReferences.WordAccuracy);
        Assert.Equal(double.PositiveInfinity, emptyReferences.TokenErrorRate);
    }
}
