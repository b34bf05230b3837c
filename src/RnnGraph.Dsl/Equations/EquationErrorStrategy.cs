using Antlr4.Runtime;

namespace RnnGraph.Dsl.Equations;

/// <summary>
/// ANTLR's default recovery (single-token insertion/deletion, resync to the next separator) with
/// every report routed to an <see cref="EquationErrorReporter"/> instead of the console.
/// </summary>
internal sealed class EquationErrorStrategy(EquationErrorReporter reporter) : DefaultErrorStrategy
{
    protected override void ReportNoViableAlternative(Parser recognizer, NoViableAltException e)
    {
        // The parser sits at the decision that failed, so its expected tokens describe the
        // decision's first token; they are only accurate when that is the offending token.
        var expected = e.StartToken.TokenIndex == e.OffendingToken.TokenIndex ? recognizer.GetExpectedTokens() : null;
        reporter.SyntaxError(recognizer.TokenStream, e.OffendingToken, expected);
    }

    protected override void ReportInputMismatch(Parser recognizer, InputMismatchException e) =>
        reporter.SyntaxError(recognizer.TokenStream, e.OffendingToken, e.GetExpectedTokens());

    protected override void ReportFailedPredicate(Parser recognizer, FailedPredicateException e) =>
        reporter.SyntaxError(recognizer.TokenStream, e.OffendingToken, null);

    protected override void ReportUnwantedToken(Parser recognizer)
    {
        if (InErrorRecoveryMode(recognizer)) return;
        BeginErrorCondition(recognizer);
        reporter.SyntaxError(recognizer.TokenStream, recognizer.CurrentToken, GetExpectedTokens(recognizer));
    }

    protected override void ReportMissingToken(Parser recognizer)
    {
        if (InErrorRecoveryMode(recognizer)) return;
        BeginErrorCondition(recognizer);
        reporter.SyntaxError(recognizer.TokenStream, recognizer.CurrentToken, GetExpectedTokens(recognizer));
    }
}
