using System.Globalization;
using Antlr4.Runtime;
using RnnGraph.Dsl.Equations.Generated;
using P = RnnGraph.Dsl.Equations.Generated.CellEquationsParser;

namespace RnnGraph.Dsl.Equations;

/// <summary>
/// Builds <see cref="Expr"/> and <see cref="Assignment"/> syntax from an ANTLR parse tree. Only
/// called on subtrees without syntax errors, so every child the grammar requires is present.
/// </summary>
internal sealed class EquationTreeBuilder(EquationSourceMap map, EquationErrorReporter reporter) : CellEquationsBaseVisitor<Expr>
{
    public Assignment BuildAssignment(P.AssignmentContext context)
    {
        var targets = context.NAME().Select(n => new NameToken(n.GetText(), map.Span(n.Symbol))).ToList();
        return new Assignment(targets, Visit(context.expression()), map.Span(context));
    }

    public override Expr VisitUnaryExpression(P.UnaryExpressionContext context)
    {
        var operand = Visit(context.expression());
        // Unary plus changes nothing, so it leaves no node behind.
        return context.op.Type == P.PLUS ? operand : new UnaryExpr(UnaryOperator.Negate, operand, map.Span(context));
    }

    public override Expr VisitMultiplicativeExpression(P.MultiplicativeExpressionContext context) =>
        Binary(context, context.op, context.expression(0), context.expression(1));

    public override Expr VisitAdditiveExpression(P.AdditiveExpressionContext context) =>
        Binary(context, context.op, context.expression(0), context.expression(1));

    public override Expr VisitPrimaryExpression(P.PrimaryExpressionContext context) => Visit(context.primary());

    public override Expr VisitNumberLiteral(P.NumberLiteralContext context) =>
        new NumberExpr(double.Parse(context.NUMBER().GetText(), NumberStyles.Float, CultureInfo.InvariantCulture), map.Span(context));

    public override Expr VisitPreviousStep(P.PreviousStepContext context)
    {
        var name = context.NAME(0).Symbol;
        // The grammar accepts any `[name - number]` so that `h[t-2]` gets this message rather than a
        // generic syntax error.
        if (context.time.Text != "t" || context.step.Text != "1")
            reporter.InvalidTimeIndex(name, context.LBRACK().Symbol, context.RBRACK().Symbol, $"{context.time.Text}-{context.step.Text}");
        return new PreviousExpr(new NameToken(name.Text, map.Span(name)), map.Span(context));
    }

    public override Expr VisitCall(P.CallContext context)
    {
        var function = context.NAME().Symbol;
        var arguments = context.arguments()?.expression().Select(Visit).ToList() ?? [];
        return new CallExpr(new NameToken(function.Text, map.Span(function)), arguments, map.Span(context));
    }

    public override Expr VisitName(P.NameContext context) => new NameExpr(context.NAME().GetText(), map.Span(context));

    // Parentheses only group; the inner expression keeps its own span.
    public override Expr VisitParenthesized(P.ParenthesizedContext context) => Visit(context.expression());

    private BinaryExpr Binary(ParserRuleContext context, IToken op, P.ExpressionContext left, P.ExpressionContext right)
    {
        var @operator = op.Type switch
        {
            P.PLUS => BinaryOperator.Add,
            P.MINUS => BinaryOperator.Subtract,
            P.STAR => BinaryOperator.Multiply,
            P.SLASH => BinaryOperator.Divide,
            P.AT => BinaryOperator.MatMul,
            _ => throw new InvalidOperationException($"not a binary operator: {op.Text}"),
        };
        return new BinaryExpr(@operator, Visit(left), Visit(right), map.Span(op), map.Span(context));
    }
}
