namespace RnnGraph.Dsl.Text;

/// <summary>A span inside a specific source file.</summary>
public readonly record struct TextLocation(SourceText Source, TextSpan Span)
{
    public string Path => Source.Path;

    /// <summary>1-based line of the span's start.</summary>
    public int Line => Source.GetLineIndex(Span.Start) + 1;

    /// <summary>1-based column of the span's start.</summary>
    public int Column => Span.Start - Source.GetLineStart(Line - 1) + 1;

    public override string ToString() => $"{Path}({Line},{Column})";
}
