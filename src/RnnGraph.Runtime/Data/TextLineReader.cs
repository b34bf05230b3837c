namespace RnnGraph.Runtime.Data;

/// <summary>One sequence of a line-per-sequence file and the line it came from.</summary>
public sealed record TextLine(int Line, string Text);

/// <summary>Reads a file with one sequence per line (sentences, names, SMILES strings), skipping blank lines.</summary>
public static class TextLineReader
{
    /// <summary>
    /// The non-blank lines of <paramref name="path"/> in order, without their terminators, read lazily and stopping
    /// after <paramref name="maxCount"/> of them. A line of only whitespace counts as blank; other lines are kept as
    /// they are, surrounding whitespace included.
    /// </summary>
    public static IEnumerable<TextLine> Read(string path, int? maxCount = null)
    {
        if (maxCount is int max)
            ArgumentOutOfRangeException.ThrowIfNegative(max, nameof(maxCount));
        var lines = SourceLine.Read(path)
            .Where(line => !string.IsNullOrWhiteSpace(line.Text))
            .Select(line => new TextLine(line.Number, line.Text));
        return maxCount is int limit ? lines.Take(limit) : lines;
    }
}
