using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Equations;

/// <summary>Parses cell equations (the ANTLR grammar in CellEquations.g4) into <see cref="EquationBlock"/> syntax.</summary>
public static class EquationParser
{
    /// <summary>
    /// Parses the text of an <c>equations:</c> block. <paramref name="toSourceOffset"/> maps an offset in
    /// <paramref name="text"/> to the absolute offset in <paramref name="source"/> so spans and diagnostics
    /// point inside the YAML file.
    /// </summary>
    public static EquationBlock ParseBlock(SourceText source, string text, Func<int, int> toSourceOffset, DiagnosticBag diagnostics)
        => throw new NotImplementedException();

    /// <summary>Parses a single expression (e.g. a parameter dimension such as <c>3*hidden</c>); null after a syntax error.</summary>
    public static Expr? ParseExpression(SourceText source, string text, Func<int, int> toSourceOffset, DiagnosticBag diagnostics)
        => throw new NotImplementedException();
}
