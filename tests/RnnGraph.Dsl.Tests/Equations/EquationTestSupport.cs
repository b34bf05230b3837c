using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Equations;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Tests.Equations;

/// <summary>Parses equation text standing alone in a file "cell.yaml" (identity offset mapping).</summary>
internal static class EquationTestSupport
{
    public static (EquationBlock Block, DiagnosticBag Diagnostics) ParseBlock(string text)
    {
        var bag = new DiagnosticBag();
        var block = EquationParser.ParseBlock(new SourceText("cell.yaml", text), text, i => i, bag);
        return (block, bag);
    }

    /// <summary>The block printed by <see cref="SyntaxPrinter"/>, after asserting it parsed without diagnostics.</summary>
    public static string PrintBlock(string text)
    {
        var (block, bag) = ParseBlock(text);
        Assert.Empty(bag);
        return SyntaxPrinter.Print(block);
    }

    public static (Expr? Expr, DiagnosticBag Diagnostics) ParseExpression(string text)
    {
        var bag = new DiagnosticBag();
        var expr = EquationParser.ParseExpression(new SourceText("cell.yaml", text), text, i => i, bag);
        return (expr, bag);
    }

    public static string PrintExpression(string text)
    {
        var (expr, bag) = ParseExpression(text);
        Assert.Empty(bag);
        return SyntaxPrinter.Print(Assert.IsType<Expr>(expr, exactMatch: false));
    }

    /// <summary>Diagnostics as <c>cell.yaml(line,col): error RGxxxx: message</c>, in source order.</summary>
    public static string[] Errors(DiagnosticBag bag) => bag.Sorted().Select(d => d.ToString()).ToArray();
}
