using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>The file being read and where its diagnostics go, with the conversions from YamlDotNet marks to source locations.</summary>
internal sealed class SpecReadContext(SourceText source, DiagnosticBag diagnostics)
{
    public SourceText Source { get; } = source;
    public DiagnosticBag Diagnostics { get; } = diagnostics;

    /// <summary>Absolute offset of a mark; YamlDotNet's lines and columns are 1-based.</summary>
    public int Offset(Mark mark) => Source.GetOffset((int)mark.Line - 1, (int)mark.Column - 1);

    /// <summary>An empty location at a mark.</summary>
    public TextLocation At(Mark mark) => new(Source, new TextSpan(Math.Min(Offset(mark), Source.Text.Length), 0));

    /// <summary>The text between two marks, as YamlDotNet reports them for parser events.</summary>
    public TextLocation Locate(Mark start, Mark end)
    {
        int from = Math.Min(Offset(start), Source.Text.Length);
        int to = Math.Clamp(Offset(end), from, Source.Text.Length);
        return new TextLocation(Source, TextSpan.FromBounds(from, to));
    }

    /// <summary>The text of a node: a scalar's characters, a collection from its start to the end of its last child.</summary>
    public TextLocation Locate(YamlNode node) => Locate(node, node);

    /// <summary>From the start of <paramref name="first"/> to the end of <paramref name="last"/>, e.g. a key and its value.</summary>
    public TextLocation Locate(YamlNode first, YamlNode last)
    {
        int start = Offset(first.Start);
        int end = Math.Max(start, EndOf(last));
        return new TextLocation(Source, TextSpan.FromBounds(start, Math.Min(end, Source.Text.Length)));
    }

    /// <summary>
    /// YamlDotNet's End mark is exact only for flow scalars: block scalars end after their trailing
    /// blank lines and collections end where they start, so the extent is recomputed here.
    /// </summary>
    private int EndOf(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode { Style: ScalarStyle.Literal or ScalarStyle.Folded } block:
                return TrimBack(Offset(block.Start), Offset(block.End));
            case YamlScalarNode scalar:
                return Offset(scalar.End);
            case YamlMappingNode mapping:
                return CloseFlow(mapping.Start, mapping.Children.Count > 0 ? EndOf(mapping.Children[^1].Value) : -1, '{', '}');
            case YamlSequenceNode sequence:
                return CloseFlow(sequence.Start, sequence.Children.Count > 0 ? EndOf(sequence.Children[^1]) : -1, '[', ']');
            default:
                return Offset(node.End);
        }
    }

    private int TrimBack(int start, int end)
    {
        string text = Source.Text;
        end = Math.Min(end, text.Length);
        while (end > start + 1 && char.IsWhiteSpace(text[end - 1])) end--;
        return end;
    }

    /// <summary>A flow collection also covers its closing bracket, found after the last child.</summary>
    private int CloseFlow(Mark start, int lastChildEnd, char open, char close)
    {
        string text = Source.Text;
        int first = Offset(start);
        if (first >= text.Length || text[first] != open) return Math.Max(first, lastChildEnd);
        int p = Math.Max(first + 1, lastChildEnd);
        while (p < text.Length && char.IsWhiteSpace(text[p])) p++;
        return p < text.Length && text[p] == close ? p + 1 : Math.Max(first + 1, lastChildEnd);
    }
}
