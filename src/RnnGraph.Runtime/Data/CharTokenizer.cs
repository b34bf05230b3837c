using System.Globalization;

namespace RnnGraph.Runtime.Data;

/// <summary>Splits text into user-perceived characters (Unicode extended grapheme clusters); detokenizing concatenates.</summary>
/// <remarks>
/// Grapheme clusters rather than <see cref="char"/>s, because a char split would cut an emoji's surrogate pair or
/// separate "e" from a combining accent into tokens that are not text on their own. Concatenation gives the input
/// back exactly. By the Unicode rules "\r\n" is one cluster, so a Windows file yields a "\r\n" token where a Unix
/// file yields "\n"; with <c>normalizeNewlines</c> every "\r\n" and lone "\r" becomes "\n" first, so both share one
/// token (the round trip is then exact up to that newline normalization).
/// </remarks>
public sealed class CharTokenizer(bool normalizeNewlines = false) : ITokenizer
{
    public bool NormalizeNewlines { get; } = normalizeNewlines;

    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (NormalizeNewlines)
            text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        var tokens = new List<string>(text.Length);
        for (int i = 0; i < text.Length;)
        {
            int length = StringInfo.GetNextTextElementLength(text, i);
            tokens.Add(text.Substring(i, length));
            i += length;
        }
        return tokens;
    }

    public string Detokenize(IEnumerable<string> tokens) => string.Concat(tokens);
}
