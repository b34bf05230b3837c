namespace RnnGraph.Runtime.Data;

/// <summary>A fixed token ↔ id map: the <see cref="SpecialTokens"/> at ids 0–3, then corpus tokens by descending count.</summary>
public sealed partial class Vocabulary
{
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(string[] tokens, Dictionary<string, int> ids)
    {
        _tokens = tokens;
        _ids = ids;
    }

    /// <summary>Number of entries, specials included: the size of an embedding or softmax over this vocabulary.</summary>
    public int Count => _tokens.Length;

    /// <summary>Tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>
    /// Counts <paramref name="tokens"/> and builds a vocabulary from the counts; see
    /// <see cref="FromCounts"/> for the selection and ordering rules.
    /// </summary>
    public static Vocabulary Build(IEnumerable<string> tokens, int minFrequency = 1, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string token in tokens)
        {
            ArgumentNullException.ThrowIfNull(token, nameof(tokens));
            counts[token] = counts.GetValueOrDefault(token) + 1;
        }
        return FromCounts(counts, minFrequency, maxSize);
    }

    /// <summary>
    /// Keeps tokens seen at least <paramref name="minFrequency"/> times, ordered by descending count and then by
    /// ordinal string order (so the same counts always give the same ids), and cut to <paramref name="maxSize"/>
    /// entries counting the four specials. Corpus occurrences of a special token's text (PTB's literal
    /// <c>&lt;unk&gt;</c>) map to the special and do not take a second id.
    /// </summary>
    public static Vocabulary FromCounts(IEnumerable<KeyValuePair<string, long>> counts, int minFrequency = 1, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfLessThan(minFrequency, 1);
        if (maxSize is int max)
            ArgumentOutOfRangeException.ThrowIfLessThan(max, SpecialTokens.Count, nameof(maxSize));
        var kept = counts
            .Where(c => c.Value >= minFrequency && !SpecialTokens.All.Contains(c.Key))
            .OrderByDescending(c => c.Value)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => c.Key);
        if (maxSize is int limit)
            kept = kept.Take(limit - SpecialTokens.Count);
        return FromTokens([.. SpecialTokens.All, .. kept]);
    }

    /// <summary>Wraps tokens already in id order; they must start with the specials and hold no duplicates.</summary>
    internal static Vocabulary FromTokens(string[] tokens)
    {
        var ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Length; id++)
        {
            if (!ids.TryAdd(tokens[id], id))
                throw new ArgumentException($"token {DataFileException.Quote(tokens[id])} appears twice", nameof(tokens));
        }
        for (int id = 0; id < SpecialTokens.Count; id++)
        {
            if (id >= tokens.Length || tokens[id] != SpecialTokens.All[id])
                throw new ArgumentException($"id {id} must be the special token {SpecialTokens.All[id]}", nameof(tokens));
        }
        return new Vocabulary(tokens, ids);
    }

    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>The token's id, or <see cref="SpecialTokens.UnkId"/> for a token the vocabulary does not hold.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out int id) ? id : SpecialTokens.UnkId;

    public string TokenOf(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
        return _tokens[id];
    }

    /// <summary>Ids of <paramref name="tokens"/>; unknown tokens become <see cref="SpecialTokens.UnkId"/>.</summary>
    public int[] Encode(IEnumerable<string> tokens) => tokens.Select(IdOf).ToArray();

    /// <summary>Tokens of <paramref name="ids"/>; with <paramref name="skipPadding"/> the <c>&lt;pad&gt;</c> ids of a padded batch column are dropped.</summary>
    public string[] Decode(IEnumerable<int> ids, bool skipPadding = false) =>
        ids.Where(id => !skipPadding || id != SpecialTokens.PadId).Select(TokenOf).ToArray();
}
