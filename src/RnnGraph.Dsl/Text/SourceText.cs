namespace RnnGraph.Dsl.Text;

/// <summary>The text of one source file with its line starts, so offsets map to 1-based line and column.</summary>
public sealed class SourceText
{
    private readonly int[] _lineStarts;

    public SourceText(string path, string text)
    {
        Path = path;
        Text = text;
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n') starts.Add(i + 1);
        }
        _lineStarts = starts.ToArray();
    }

    public string Path { get; }
    public string Text { get; }
    public int LineCount => _lineStarts.Length;

    public static SourceText FromFile(string path) => new(path, File.ReadAllText(path));

    /// <summary>0-based line index of an offset.</summary>
    public int GetLineIndex(int offset)
    {
        int i = Array.BinarySearch(_lineStarts, offset);
        return i >= 0 ? i : ~i - 1;
    }

    public int GetLineStart(int lineIndex) => _lineStarts[lineIndex];

    /// <summary>Absolute offset of a 0-based line and 0-based column.</summary>
    public int GetOffset(int lineIndex, int column) => _lineStarts[Math.Clamp(lineIndex, 0, _lineStarts.Length - 1)] + column;

    /// <summary>The text of a 0-based line without its line break.</summary>
    public string GetLineText(int lineIndex)
    {
        int start = _lineStarts[lineIndex];
        int end = lineIndex + 1 < _lineStarts.Length ? _lineStarts[lineIndex + 1] : Text.Length;
        while (end > start && (Text[end - 1] == '\n' || Text[end - 1] == '\r')) end--;
        return Text.Substring(start, end - start);
    }

    public string ToString(TextSpan span) => Text.Substring(span.Start, Math.Min(span.Length, Text.Length - span.Start));
}
