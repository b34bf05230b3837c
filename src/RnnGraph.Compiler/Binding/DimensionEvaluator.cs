using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Equations;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Binding;

/// <summary>Evaluates a parameter dimension such as <c>3*hidden</c> to a positive integer.</summary>
internal static class DimensionEvaluator
{
    public static int? Evaluate(Expr expr, int hidden, int input, SourceText source, DiagnosticBag bag)
    {
        long? value = Eval(expr, hidden, input, source, bag);
        if (value is null) return null;
        if (value <= 0 || value > int.MaxValue)
        {
            string rule = value <= 0 ? "dimensions must be positive" : $"dimensions must be at most {int.MaxValue}";
            bag.ReportBadDimension(new TextLocation(source, expr.Span), $"'{source.ToString(expr.Span)}' is {value} for hidden={hidden}, input={input}; {rule}");
            return null;
        }
        return (int)value;
    }

    private static long? Eval(Expr expr, int hidden, int input, SourceText source, DiagnosticBag bag)
    {
        switch (expr)
        {
            case NumberExpr n when n.Value == Math.Floor(n.Value) && Math.Abs(n.Value) < 1e9:
                return (long)n.Value;
            case NameExpr { Name: "hidden" }:
                return hidden;
            case NameExpr { Name: "input" }:
                return input;
            case UnaryExpr u:
                return -Eval(u.Operand, hidden, input, source, bag);
            case BinaryExpr b when b.Operator != BinaryOperator.MatMul:
                var l = Eval(b.Left, hidden, input, source, bag);
                var r = Eval(b.Right, hidden, input, source, bag);
                if (l is null || r is null) return null;
                if (b.Operator == BinaryOperator.Divide && (r == 0 || l % r != 0))
                {
                    bag.ReportBadDimension(new TextLocation(source, b.Span), $"{l} / {r} is not a whole number");
                    return null;
                }
                return b.Operator switch
                {
                    BinaryOperator.Add => l + r,
                    BinaryOperator.Subtract => l - r,
                    BinaryOperator.Multiply => l * r,
                    _ => l / r,
                };
            default:
                bag.ReportBadDimension(new TextLocation(source, expr.Span), $"'{source.ToString(expr.Span)}' is not an integer expression over hidden and input");
                return null;
        }
    }
}
