using Antlr4.Runtime;
using RnnGraph.Dsl.Equations.Generated;

namespace RnnGraph.Dsl.Equations;

/// <summary>
/// The generated lexer with error reporting replaced: a character no token starts with becomes
/// RG0100. The runtime's own reporting is bypassed, not just its listeners, because it formats
/// the bad text first and throws on a surrogate pair split by the failure.
/// </summary>
internal sealed class EquationLexer(string text, EquationErrorReporter reporter)
    // AntlrInputStream indexes UTF-16 code units, like string offsets (CharStreams would use code points).
    : CellEquationsLexer(new AntlrInputStream(text))
{
    public override void NotifyListeners(LexerNoViableAltException e)
    {
        int offset = TokenStartCharIndex;
        if (offset < 0 || offset >= text.Length) return;
        // Show an astral character (an emoji, say) whole rather than its first surrogate.
        int length = char.IsHighSurrogate(text[offset]) && offset + 1 < text.Length && char.IsLowSurrogate(text[offset + 1]) ? 2 : 1;
        reporter.UnexpectedCharacter(offset, TokenStartLine, text.Substring(offset, length));
    }
}
