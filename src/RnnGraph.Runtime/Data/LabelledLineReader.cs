namespace RnnGraph.Runtime.Data;

/// <summary>Which side of the tab holds the label in a labelled-lines file.</summary>
public enum LabelPosition
{
    /// <summary><c>label&lt;TAB&gt;text</c>: the label ends at the first tab.</summary>
    First,

    /// <summary><c>text&lt;TAB&gt;label</c>: the label starts after the last tab.</summary>
    Last,
}

/// <summary>One classification example and the line it came from.</summary>
public sealed record LabelledLine(int Line, string Label, string Text);

/// <summary>The examples of a labelled-lines file and its label set, sorted ordinally so label ids do not depend on line order.</summary>
public sealed class LabelledLines
{
    private readonly Dictionary<string, int> _labelIds;

    public LabelledLines(IReadOnlyList<LabelledLine> lines, IReadOnlyList<string> labels)
    {
        Lines = lines;
        Labels = labels;
        _labelIds = labels.Select((label, id) => (label, id)).ToDictionary(p => p.label, p => p.id, StringComparer.Ordinal);
    }

    public IReadOnlyList<LabelledLine> Lines { get; }

    /// <summary>Distinct labels in ordinal order; a label's id is its index here.</summary>
    public IReadOnlyList<string> Labels { get; }

    public int LabelId(string label) => _labelIds.TryGetValue(label, out int id)
        ? id
        : throw new KeyNotFoundException($"label {DataFileException.Quote(label)} is not in the label set");

    /// <summary>The label id of every line, in line order.</summary>
    public int[] LabelIds() => Lines.Select(line => _labelIds[line.Label]).ToArray();
}

/// <summary>Reads classification data, one <c>label&lt;TAB&gt;text</c> (or <c>text&lt;TAB&gt;label</c>) example per line.</summary>
public static class LabelledLineReader
{
    /// <summary>
    /// Reads up to <paramref name="maxCount"/> examples, skipping blank lines. The text keeps any further tabs; the
    /// label is trimmed of surrounding whitespace. A line without a tab, or with an empty label or text, throws a
    /// <see cref="DataFileException"/> at that line.
    /// </summary>
    public static LabelledLines Read(string path, LabelPosition position = LabelPosition.First, int? maxCount = null) =>
        Parse(path, TextLineReader.Read(path, maxCount), position);

    /// <summary>
    /// The examples of already-read lines (e.g. a spec's inline text split into lines); <paramref name="source"/> names
    /// them in errors.
    /// </summary>
    public static LabelledLines Parse(string source, IEnumerable<TextLine> textLines, LabelPosition position = LabelPosition.First)
    {
        var lines = new List<LabelledLine>();
        var labels = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in textLines)
        {
            var example = Parse(source, line, position);
            lines.Add(example);
            labels.Add(example.Label);
        }
        return new LabelledLines(lines, [.. labels]);
    }

    private static LabelledLine Parse(string path, TextLine line, LabelPosition position)
    {
        string text = line.Text;
        int tab = position == LabelPosition.First ? text.IndexOf('\t') : text.LastIndexOf('\t');
        string shape = position == LabelPosition.First ? "label<TAB>text" : "text<TAB>label";
        if (tab < 0)
            throw new DataFileException(path, line.Line, 1, $"expected '{shape}' but the line has no tab");
        var (labelStart, labelEnd, textStart, textEnd) = position == LabelPosition.First
            ? (0, tab, tab + 1, text.Length)
            : (tab + 1, text.Length, 0, tab);
        string label = text[labelStart..labelEnd].Trim();
        if (label.Length == 0)
            throw new DataFileException(path, line.Line, labelStart + 1, $"the label is empty (expected '{shape}')");
        string body = text[textStart..textEnd];
        if (string.IsNullOrWhiteSpace(body))
            throw new DataFileException(path, line.Line, textStart + 1, $"the text is empty (expected '{shape}')");
        return new LabelledLine(line.Line, label, body);
    }
}
