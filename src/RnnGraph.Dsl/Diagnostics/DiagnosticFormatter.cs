using System.Text;

namespace RnnGraph.Dsl.Diagnostics;

/// <summary>Prints diagnostics in the CONTRACT format: the header line, then the source line with the span marked.</summary>
public static class DiagnosticFormatter
{
    public static string Format(Diagnostic diagnostic)
    {
        var sb = new StringBuilder();
        sb.Append(diagnostic.ToString()).Append('\n');
        if (diagnostic.Location is not { } loc) return sb.ToString();

        var source = loc.Source;
        if (source.Text.Length == 0) return sb.ToString();
        int lineIndex = loc.Line - 1;
        string lineText = source.GetLineText(lineIndex).Replace('\t', ' ');
        int column = loc.Column - 1;
        int lineEnd = source.GetLineStart(lineIndex) + lineText.Length;
        int spanEnd = Math.Min(loc.Span.End, lineEnd);
        int width = Math.Max(1, spanEnd - loc.Span.Start);
        string gutter = $"{loc.Line,5} | ";
        sb.Append(gutter).Append(lineText).Append('\n');
        sb.Append(new string(' ', gutter.Length - 2)).Append("| ")
          .Append(new string(' ', Math.Max(0, column))).Append('^').Append(new string('~', width - 1)).Append('\n');
        return sb.ToString();
    }

    public static string FormatAll(IEnumerable<Diagnostic> diagnostics) =>
        string.Concat(diagnostics.Select(Format));
}
