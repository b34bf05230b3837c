using RnnGraph.Runtime.Decoding;

namespace RnnGraph.Runtime.Tests.Decoding;

/// <summary>
/// A toy decoder for the decoding tests: each slot's state is (source, every token fed so far), and the next-token
/// log-probabilities are a seeded pseudo-random function of that whole history (the same answer in any order of
/// queries), so tests can recompute any hypothesis' log-probability from <see cref="LogProbabilities"/> alone.
/// Records every <see cref="Step"/> call's row count.
/// </summary>
internal sealed class MarkovToyModel : IDecoderStep
{
    private readonly ulong _seed;
    private readonly int _endToken;
    private readonly double _endBias;
    private readonly double _impossibleShare;
    private readonly int _sourceOffset;
    private List<(int Source, int[] History)> _slots = new();

    /// <param name="endBias">added to the end token's logit (large: short outputs).</param>
    /// <param name="impossibleShare">share of (history, non-end token) pairs given log-probability -infinity.</param>
    /// <param name="sourceOffset">source s of this model is source s + offset of the table (to decode one source alone).</param>
    public MarkovToyModel(int vocabularySize, int seed, int endToken, double endBias = 0, double impossibleShare = 0, int sourceOffset = 0)
    {
        VocabularySize = vocabularySize;
        _seed = (ulong)seed;
        _endToken = endToken;
        _endBias = endBias;
        _impossibleShare = impossibleShare;
        _sourceOffset = sourceOffset;
    }

    public int VocabularySize { get; }

    public List<int> RowsPerStep { get; } = new();

    public void Start(ReadOnlySpan<int> sources)
    {
        _slots = new List<(int, int[])>();
        foreach (int s in sources)
            _slots.Add((s + _sourceOffset, []));
    }

    public void Step(ReadOnlySpan<int> tokens, Span<float> logProbabilities)
    {
        Assert.Equal(_slots.Count, tokens.Length);
        Assert.Equal(_slots.Count * VocabularySize, logProbabilities.Length);
        RowsPerStep.Add(tokens.Length);
        for (int i = 0; i < _slots.Count; i++)
        {
            var (source, history) = _slots[i];
            _slots[i] = (source, [.. history, tokens[i]]);
            LogProbabilities(source, _slots[i].History).CopyTo(logProbabilities.Slice(i * VocabularySize, VocabularySize));
        }
    }

    public void Reorder(ReadOnlySpan<int> parents)
    {
        var next = new List<(int, int[])>(parents.Length);
        foreach (int p in parents)
            next.Add(_slots[p]);
        _slots = next;
    }

    /// <summary>log p(next token | source, tokens fed so far, the start token first).</summary>
    public float[] LogProbabilities(int source, IReadOnlyList<int> history)
    {
        ulong h = Mix(_seed ^ Mix((ulong)source + 0x51ED27));
        foreach (int token in history)
            h = Mix(h ^ ((ulong)token + 1) * 0x9E3779B97F4A7C15);
        var logits = new double[VocabularySize];
        for (int v = 0; v < VocabularySize; v++)
        {
            h = Mix(h + 0x632BE59BD9B4E019);
            double uniform = (h >> 11) * (1.0 / (1UL << 53));
            logits[v] = 3 * uniform + (v == _endToken ? _endBias : 0);
            h = Mix(h);
            if (v != _endToken && (h >> 11) * (1.0 / (1UL << 53)) < _impossibleShare)
                logits[v] = double.NegativeInfinity;
        }
        double max = logits.Max();
        double logSum = max + Math.Log(logits.Sum(x => Math.Exp(x - max)));
        return logits.Select(x => (float)(x - logSum)).ToArray();
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
