using Antlr4.Runtime;
using Antlr4.Runtime.Misc;
using P = RnnGraph.Dsl.Equations.Generated.CellEquationsParser;

namespace RnnGraph.Dsl.Equations;

/// <summary>A syntax error message and whether it points just after the previous token (something is missing there).</summary>
internal readonly record struct SyntaxMessage(string Text, bool AfterPrevious);

/// <summary>How many '(' are open before the offending token, and whether the innermost one opens a call.</summary>
internal readonly record struct OpenParens(int Depth, bool InnermostIsCall);

/// <summary>
/// Words a syntax error for a person: ANTLR's "mismatched input ... expecting {...}" lists token
/// names, so the expected set is summarised instead ("an expression", "an operator", "')'").
/// </summary>
internal static class EquationSyntaxMessages
{
    private static readonly int[] ExpressionStart = [P.NAME, P.NUMBER, P.LPAREN, P.MINUS, P.PLUS];
    private static readonly int[] BinaryOperators = [P.PLUS, P.MINUS, P.STAR, P.SLASH, P.AT];
    private static readonly int[] StatementEnd = [P.NEWLINE, P.SEMI, TokenConstants.EOF];

    /// <param name="where">"equation" (a block) or "expression" (a lone expression), as in "unexpected ')' in equation".</param>
    /// <param name="parens">The parentheses open between the start of the statement and <paramref name="offending"/>.</param>
    public static SyntaxMessage Compose(IToken offending, IToken? previous, IntervalSet? expected, OpenParens parens, string where)
    {
        if (offending.Type == P.RPAREN && parens.Depth <= 0)
            return new($"unmatched ')' in {where}", false);

        string? what = expected is null ? null : DescribeExpected(expected, previous, where);
        // When only ')' is expected the parser has already left the argument list, yet after an
        // argument a ',' is just as valid (and more likely what was forgotten).
        if (what == "')'" && parens.InnermostIsCall && IsOperandEnd(previous))
            what = "',' or ')'";
        // Reached the end of the statement: something is missing after the previous token. A line
        // break only ends statements in a block; inside a lone expression it is just unexpected.
        bool atEnd = offending.Type == TokenConstants.EOF || (offending.Type == P.NEWLINE && where == "equation");

        // Only a target list can be followed by '='; "expected '=' after 'h'" says what is wrong
        // better than listing ',' and '='.
        if (expected is not null && expected.Contains(P.ASSIGN) && previous is not null)
            return new($"expected '=' after '{previous.Text}'", atEnd);

        if (atEnd && what is not null)
            return previous is null ? new($"expected {what}", false) : new($"expected {what} after '{previous.Text}'", true);

        string unexpected = $"unexpected {DescribeToken(offending, where)} in {where}";
        return new(what is null ? unexpected : $"{unexpected}; expected {what}", false);
    }

    private static string DescribeToken(IToken token, string where) => token.Type switch
    {
        P.NAME => $"name '{token.Text}'",
        P.NUMBER => $"number '{token.Text}'",
        P.NEWLINE => "end of line",
        TokenConstants.EOF => where == "equation" ? "end of the equations" : "end of the expression",
        _ => Literal(token.Type),
    };

    private static string? DescribeExpected(IntervalSet expected, IToken? previous, string where)
    {
        // At the start of a statement the parser has already given up on an assignment and only
        // expects a separator; what the user is missing is an assignment target.
        bool statementStart = previous is null || previous.Type is P.NEWLINE or P.SEMI;
        if (where == "equation" && statementStart && expected.ToList().All(StatementEnd.Contains))
            return "a name";

        var remaining = expected.ToList().ToHashSet();
        var parts = new List<string>();

        // NAME, NUMBER and '(' together mean "any expression" (a call argument list also allows ')').
        if (remaining.Contains(P.NAME) && remaining.Contains(P.NUMBER) && remaining.Contains(P.LPAREN))
        {
            parts.Add("an expression");
            remaining.ExceptWith(ExpressionStart);
        }
        // The operators come as a group wherever an expression may continue; a lone '-' is the one
        // inside `[t-1]` and is named as itself.
        bool operatorAllowed = remaining.Contains(P.STAR);
        if (operatorAllowed) remaining.ExceptWith(BinaryOperators);
        bool endAllowed = remaining.Overlaps(StatementEnd);
        remaining.ExceptWith(StatementEnd);
        parts.AddRange(remaining.Order().Select(Describe));

        // An operator or the end of the line can follow any complete expression; they are only
        // worth naming when nothing more specific (such as a missing ')') is expected. Once the
        // parser has closed the expression it only expects the end of the line, but after an
        // operand an operator is just as likely what the user missed.
        if (parts.Count == 0)
        {
            if (operatorAllowed || (endAllowed && IsOperandEnd(previous))) parts.Add("an operator");
            if (endAllowed) parts.Add(where == "equation" ? "end of line" : "end of the expression");
        }
        return parts.Count == 0 ? null : JoinWithOr(parts);
    }

    private static bool IsOperandEnd(IToken? token) => token?.Type is P.NAME or P.NUMBER or P.RPAREN or P.RBRACK;

    private static string Describe(int tokenType) => tokenType switch
    {
        P.NAME => "a name",
        P.NUMBER => "a number",
        _ => Literal(tokenType),
    };

    // The vocabulary's literal name already carries the quotes: '='.
    private static string Literal(int tokenType) =>
        P.DefaultVocabulary.GetLiteralName(tokenType) ?? P.DefaultVocabulary.GetDisplayName(tokenType);

    private static string JoinWithOr(List<string> parts) =>
        parts.Count == 1 ? parts[0] : $"{string.Join(", ", parts.Take(parts.Count - 1))} or {parts[^1]}";
}
