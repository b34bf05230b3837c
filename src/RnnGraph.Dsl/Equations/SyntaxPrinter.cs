using System.Globalization;

namespace RnnGraph.Dsl.Equations;

/// <summary>
/// Prints equation syntax as compact S-expressions, e.g. <c>h = (+ (* (- 1 z) n) (* z h[t-1]))</c>,
/// which shows the tree's grouping unambiguously (tests, debugging output).
/// </summary>
public static class SyntaxPrinter
{
    /// <summary>One assignment per line.</summary>
    public static string Print(EquationBlock block) => string.Join("\n", block.Assignments.Select(Print));

    public static string Print(Assignment assignment) =>
        $"{string.Join(", ", assignment.Targets.Select(t => t.Name))} = {Print(assignment.Value)}";

    public static string Print(Expr expr) => expr switch
    {
        NumberExpr n => n.Value.ToString("R", CultureInfo.InvariantCulture),
        NameExpr n => n.Name,
        PreviousExpr p => $"{p.Name.Name}[t-1]",
        UnaryExpr u => $"(- {Print(u.Operand)})",
        BinaryExpr b => $"({Symbol(b.Operator)} {Print(b.Left)} {Print(b.Right)})",
        CallExpr c => c.Arguments.Count == 0
            ? $"({c.Function.Name})"
            : $"({c.Function.Name} {string.Join(" ", c.Arguments.Select(Print))})",
        _ => throw new ArgumentOutOfRangeException(nameof(expr), expr.GetType().Name, "unknown expression kind"),
    };

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.MatMul => "@",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };
}
