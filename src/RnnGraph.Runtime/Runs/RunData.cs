using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Runs;

/// <summary>Where a run's data comes from: <c>data.file</c> (relative to the spec) or <c>data.text</c>, read strictly as UTF-8.</summary>
internal static class RunData
{
    /// <summary>The data file's full path, or null for inline text; a missing file is a <see cref="RunException"/>.</summary>
    public static string? FilePath(RunSettings settings, string dataDirectory)
    {
        if (settings.DataText is not null) return null;
        if (settings.DataFile is not { } file) throw new RunException("the spec has no data: add a data section with file: or text:");
        string path = Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(dataDirectory, file));
        if (!File.Exists(path)) throw new RunException($"data file '{file}' does not exist (looked for {path})");
        return path;
    }

    /// <summary>The whole text (invalid UTF-8 is an error at its line and column).</summary>
    public static string ReadText(RunSettings settings, string dataDirectory)
    {
        if (FilePath(settings, dataDirectory) is not { } path) return settings.DataText!;
        var text = new System.Text.StringBuilder();
        foreach (var line in SourceLine.Read(path)) text.Append(line.Text).Append(line.Terminator);
        return text.ToString();
    }

    /// <summary>The non-blank lines with their numbers, and the name to report them under (the file, or "data.text").</summary>
    public static (string Source, IEnumerable<TextLine> Lines) ReadLines(RunSettings settings, string dataDirectory)
    {
        if (FilePath(settings, dataDirectory) is { } path) return (path, TextLineReader.Read(path));
        var lines = settings.DataText!.Split('\n').Select((l, i) => new TextLine(i + 1, l.TrimEnd('\r'))).Where(l => !string.IsNullOrWhiteSpace(l.Text));
        return ("data.text", lines);
    }
}
