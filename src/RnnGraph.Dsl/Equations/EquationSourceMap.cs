using Antlr4.Runtime;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Equations;

/// <summary>Turns token positions in the equation text into absolute spans of the spec file.</summary>
internal sealed class EquationSourceMap(SourceText source, string text, Func<int, int> toSourceOffset)
{
    public SourceText Source => source;

    // Each end is mapped through its last character (then +1) rather than through the offset
    // one past it: that offset may be a line break the caller cannot map, or another line.
    public TextSpan Span(IToken first, IToken last) =>
        TextSpan.FromBounds(toSourceOffset(first.StartIndex), toSourceOffset(last.StopIndex) + 1);

    public TextSpan Span(IToken token) =>
        token.Type == TokenConstants.EOF ? EndOfText() : Span(token, token);

    public TextSpan Span(ParserRuleContext context) => Span(context.Start, context.Stop);

    /// <summary>An empty span just after <paramref name="token"/>: where a missing token belongs.</summary>
    public TextSpan After(IToken token) => new(toSourceOffset(token.StopIndex) + 1, 0);

    public TextSpan Characters(int textOffset, int length) =>
        TextSpan.FromBounds(toSourceOffset(textOffset), toSourceOffset(textOffset + length - 1) + 1);

    /// <summary>An empty span at the start of the text, for a text with no tokens at all.</summary>
    public TextSpan Start() => new(toSourceOffset(0), 0);

    private TextSpan EndOfText() => text.Length == 0 ? Start() : new(toSourceOffset(text.Length - 1) + 1, 0);

    public TextLocation Locate(TextSpan span) => new(source, span);
}
