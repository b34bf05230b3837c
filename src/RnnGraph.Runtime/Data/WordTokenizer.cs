using System.Globalization;
using System.Text;

namespace RnnGraph.Runtime.Data;

/// <summary>Splits text into words and single punctuation marks, dropping whitespace; detokenizing joins with single spaces.</summary>
/// <remarks>
/// The rule: a word is a maximal run of letters, digits, combining marks and connector punctuation ("_"); every other
/// non-whitespace character (punctuation, symbols, an emoji) is a token of its own, so "don't!" is
/// [don, ', t, !] and "..." is three tokens; whitespace only separates. <see cref="Detokenize"/> puts one space
/// between tokens, so the round trip is exact up to whitespace normalization: every whitespace run becomes one space,
/// the ends are trimmed, and a space appears between adjacent tokens ("Hi, you" → "Hi , you"). Tokenizing the
/// detokenized text always gives the same tokens back. With <c>lowercase</c> the text is lowercased (invariant
/// culture) first.
/// </remarks>
public sealed class WordTokenizer(bool lowercase = false) : ITokenizer
{
    public bool Lowercase { get; } = lowercase;

    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Lowercase)
            text = text.ToLowerInvariant();
        var tokens = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            var (rune, length) = RuneAt(text, i);
            if (Rune.IsWhiteSpace(rune))
            {
                i += length;
            }
            else if (IsWordPart(rune))
            {
                int start = i;
                while (i < text.Length && RuneAt(text, i) is var (next, n) && IsWordPart(next))
                    i += n;
                tokens.Add(text[start..i]);
            }
            else
            {
                tokens.Add(text.Substring(i, length));
                i += length;
            }
        }
        return tokens;
    }

    public string Detokenize(IEnumerable<string> tokens) => string.Join(' ', tokens);

    // A lone surrogate decodes as U+FFFD (a symbol) with length 1: it becomes its own token and the text is kept.
    private static (Rune Rune, int Length) RuneAt(string text, int index)
    {
        Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out int length);
        return (rune, length);
    }

    private static bool IsWordPart(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
        UnicodeCategory.ConnectorPunctuation => true,
        _ => false,
    };
}
