using System.Text;

namespace RnnGraph.Runtime.Data;

/// <summary>A data or vocabulary file is unreadable or malformed; the message is one line, <c>path(line,col): problem</c>.</summary>
/// <remarks>
/// <see cref="Line"/> and <see cref="Column"/> are 1-based and 0 when unknown; the location shrinks to <c>path(line)</c>
/// or <c>path</c> accordingly. Columns count UTF-16 chars from the start of the line.
/// </remarks>
public sealed class DataFileException : Exception
{
    public DataFileException(string path, int line, int column, string problem, Exception? inner = null)
        : base(Format(path, line, column, problem), inner)
    {
        Path = path;
        Line = line;
        Column = column;
        Problem = problem;
    }

    public DataFileException(string path, string problem, Exception? inner = null) : this(path, 0, 0, problem, inner) { }

    public string Path { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>The message without the location.</summary>
    public string Problem { get; }

    private static string Format(string path, int line, int column, string problem) =>
        line <= 0 ? $"{path}: {problem}"
        : column <= 0 ? $"{path}({line}): {problem}"
        : $"{path}({line},{column}): {problem}";

    /// <summary>Quotes file content for a message, escaping control characters so the message stays on one line.</summary>
    internal static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('\'');
        foreach (char c in text)
        {
            switch (c)
            {
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\'': builder.Append("\\'"); break;
                default:
                    if (char.IsControl(c)) builder.Append($"\\u{(int)c:x4}");
                    else builder.Append(c);
                    break;
            }
        }
        return builder.Append('\'').ToString();
    }
}
