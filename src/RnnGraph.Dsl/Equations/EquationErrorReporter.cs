using Antlr4.Runtime;
using Antlr4.Runtime.Misc;
using RnnGraph.Dsl.Diagnostics;
using P = RnnGraph.Dsl.Equations.Generated.CellEquationsParser;

namespace RnnGraph.Dsl.Equations;

/// <summary>
/// Reports lexer and parser errors of one parse into a <see cref="DiagnosticBag"/>, at most one per
/// line: after the first error on a line, what follows is usually a consequence of it.
/// </summary>
internal sealed class EquationErrorReporter(DiagnosticBag diagnostics, EquationSourceMap map, string where)
{
    private readonly HashSet<int> _linesWithErrors = new();

    public bool HasErrors => _linesWithErrors.Count > 0;

    /// <summary>True if an error was reported on any of the 1-based text lines first..last.</summary>
    public bool HasErrorOnLines(int first, int last) => _linesWithErrors.Any(line => line >= first && line <= last);

    /// <param name="character">The character as it appears in the text: one UTF-16 unit or a surrogate pair.</param>
    public void UnexpectedCharacter(int textOffset, int line, string character)
    {
        if (!_linesWithErrors.Add(line)) return;
        // Invisible characters (a no-break space pasted from a web page) and lone surrogates are
        // named by code unit.
        string shown = character.Length == 1 && (char.IsControl(character[0]) || char.IsWhiteSpace(character[0]) || char.IsSurrogate(character[0]))
            ? $"U+{(int)character[0]:X4}"
            : character;
        diagnostics.ReportEquationCharacter(map.Locate(map.Characters(textOffset, character.Length)), shown, where);
    }

    /// <param name="expected">The tokens the parser could have accepted, or null when unknown.</param>
    public void SyntaxError(ITokenStream tokens, IToken offending, IntervalSet? expected)
    {
        if (!_linesWithErrors.Add(offending.Line)) return;
        IToken? previous = offending.TokenIndex > 0 ? tokens.Get(offending.TokenIndex - 1) : null;
        var message = EquationSyntaxMessages.Compose(offending, previous, expected, OpenParens(tokens, offending), where);
        var span = message.AfterPrevious && previous is not null ? map.After(previous) : map.Span(offending);
        diagnostics.ReportEquationSyntax(map.Locate(span), message.Text);
    }

    /// <summary>Reports <c>s[t-2]</c> and the like, which parse but mean nothing in a cell.</summary>
    public void InvalidTimeIndex(IToken name, IToken open, IToken close, string index)
    {
        if (!_linesWithErrors.Add(open.Line)) return;
        diagnostics.ReportEquationTimeIndex(map.Locate(map.Span(open, close)), name.Text, index);
    }

    // Counts '(' minus ')' from the start of the statement holding the token up to the token, and
    // notes whether the innermost unclosed '(' follows a name, i.e. opens a call's arguments.
    private static OpenParens OpenParens(ITokenStream tokens, IToken offending)
    {
        int depth = 0;
        bool? innermostIsCall = null;
        for (int i = offending.TokenIndex - 1; i >= 0; i--)
        {
            int type = tokens.Get(i).Type;
            if (type is P.NEWLINE or P.SEMI) break;
            if (type == P.RPAREN) depth--;
            else if (type == P.LPAREN && ++depth == 1 && innermostIsCall is null)
                innermostIsCall = i > 0 && tokens.Get(i - 1).Type == P.NAME;
        }
        return new OpenParens(depth, innermostIsCall ?? false);
    }
}
