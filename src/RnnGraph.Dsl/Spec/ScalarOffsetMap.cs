using RnnGraph.Dsl.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>
/// Maps each character of a YAML scalar's value (as YamlDotNet returns it) to its absolute offset
/// in the source file, so errors found while parsing the value (equations, shape expressions)
/// point at the character the user wrote.
/// </summary>
/// <remarks>
/// Literal blocks (<c>|</c>, <c>|-</c>, <c>|+</c>) are mapped exactly: their content lines are the
/// file lines after the indicator, one for one, minus each line's indentation. Plain and quoted
/// scalars are matched character by character against the source, which is exact on one line and
/// close enough across folded line breaks and escapes.
/// </remarks>
public sealed class ScalarOffsetMap
{
    // _offsets[i] is the source offset of value[i]; one extra entry holds the offset just past the value.
    private readonly int[] _offsets;

    private ScalarOffsetMap(int[] offsets) => _offsets = offsets;

    /// <summary>Number of characters in the mapped value.</summary>
    public int Length => _offsets.Length - 1;

    /// <summary>
    /// Absolute offset of the value's character at <paramref name="valueOffset"/>. Offsets past the
    /// end continue after the last character, so an end-of-text position still lands in the file.
    /// </summary>
    public int ToSourceOffset(int valueOffset)
    {
        if (valueOffset <= 0) return _offsets[0];
        if (valueOffset <= Length) return _offsets[valueOffset];
        return _offsets[Length] + (valueOffset - Length);
    }

    /// <summary>Builds the map of <paramref name="scalar"/>, which must have been loaded from <paramref name="source"/>.</summary>
    public static ScalarOffsetMap Create(SourceText source, YamlScalarNode scalar)
    {
        string value = scalar.Value ?? "";
        int start = source.GetOffset((int)scalar.Start.Line - 1, (int)scalar.Start.Column - 1);
        var offsets = new int[value.Length + 1];

        switch (scalar.Style)
        {
            case ScalarStyle.Literal:
                MapLiteral(source, value, (int)scalar.Start.Line - 1, offsets);
                break;
            case ScalarStyle.Folded:
                // Content starts on the line after the indicator, at its first non-blank character.
                int contentLine = (int)scalar.Start.Line;
                int from = contentLine < source.LineCount ? source.GetLineStart(contentLine) : source.Text.Length;
                MapByMatching(source.Text, value, SkipWhitespace(source.Text, from), scalar.Style, offsets);
                break;
            case ScalarStyle.SingleQuoted:
            case ScalarStyle.DoubleQuoted:
                MapByMatching(source.Text, value, start + 1, scalar.Style, offsets);
                break;
            default:
                MapByMatching(source.Text, value, start, scalar.Style, offsets);
                break;
        }
        return new ScalarOffsetMap(offsets);
    }

    /// <summary>
    /// Line k of a literal value is file line <c>indicatorLine + 1 + k</c> with its indentation
    /// removed; literal blocks keep trailing spaces, so the indentation is the file line's length
    /// minus the value line's length.
    /// </summary>
    private static void MapLiteral(SourceText source, string value, int indicatorLine, int[] offsets)
    {
        string[] lines = value.Split('\n');
        int position = 0;
        for (int k = 0; k < lines.Length; k++)
        {
            string line = lines[k];
            int fileLine = indicatorLine + 1 + k;
            int lineStart, lineLength, indent;
            if (fileLine < source.LineCount)
            {
                string fileText = source.GetLineText(fileLine);
                lineStart = source.GetLineStart(fileLine);
                lineLength = fileText.Length;
                indent = fileText.EndsWith(line, StringComparison.Ordinal)
                    ? fileText.Length - line.Length
                    : fileText.Length - fileText.TrimStart(' ').Length;
            }
            else
            {
                // The loader may add a final line break the file does not have.
                lineStart = source.Text.Length;
                lineLength = 0;
                indent = 0;
            }

            for (int j = 0; j < line.Length; j++) offsets[position++] = lineStart + indent + j;
            if (k < lines.Length - 1) offsets[position++] = lineStart + lineLength; // the '\n'
        }
        // The end of a value that ends with a line break stays on the last content line: an
        // "unexpected end of equations" error then points after the last equation, not at the next key.
        offsets[position] = position == 0 ? StartOfFirstContent(source, indicatorLine)
            : value[^1] == '\n' ? offsets[position - 1]
            : offsets[position - 1] + 1;
    }

    private static int StartOfFirstContent(SourceText source, int indicatorLine) =>
        indicatorLine + 1 < source.LineCount ? source.GetLineStart(indicatorLine + 1) : source.Text.Length;

    /// <summary>
    /// Walks value and source together from <paramref name="start"/>. Equal characters map one to one;
    /// a folded line break (source whitespace and line breaks read as one space or newline) and an
    /// escape sequence (<c>\t</c>, <c>''</c>) each map to their first source character.
    /// </summary>
    private static void MapByMatching(string text, string value, int start, ScalarStyle style, int[] offsets)
    {
        int p = start;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (p < text.Length && !IsWhite(c) && IsWhite(text[p]) && text[p] != c)
                p = SkipWhitespace(text, p); // spaces dropped at a fold
            if (p >= text.Length)
            {
                offsets[i] = text.Length;
                continue;
            }

            char s = text[p];
            offsets[i] = p;
            if (style == ScalarStyle.DoubleQuoted && s == '\\')
                p += EscapeLength(text, p);
            else if (style == ScalarStyle.SingleQuoted && s == '\'' && p + 1 < text.Length && text[p + 1] == '\'')
                p += 2;
            else if (s == c)
                p++;
            else if (IsWhite(c) && IsWhite(s))
                p = SkipWhitespace(text, p);
            else if (!IsWhite(c))
                p++; // unexpected: stay in step rather than drift
        }
        offsets[value.Length] = value.Length > 0 ? offsets[value.Length - 1] + 1 : Math.Min(start, text.Length);
    }

    private static bool IsWhite(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static int SkipWhitespace(string text, int p)
    {
        while (p < text.Length && IsWhite(text[p])) p++;
        return p;
    }

    /// <summary>Source length of the double-quoted escape at <paramref name="p"/>: <c>\xHH</c>, <c>\uHHHH</c>, <c>\UHHHHHHHH</c> or two characters.</summary>
    private static int EscapeLength(string text, int p)
    {
        char kind = p + 1 < text.Length ? text[p + 1] : '\0';
        return kind switch { 'x' => 4, 'u' => 6, 'U' => 10, _ => 2 };
    }
}
