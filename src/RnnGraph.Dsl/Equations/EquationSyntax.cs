using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Equations;

// The syntax tree of an `equations:` block. Every span is absolute in the spec file's SourceText,
// so a diagnostic on an equation points at the character inside the equation.

/// <summary>A name as written, with its span.</summary>
public sealed record NameToken(string Name, TextSpan Span);

/// <summary>All assignments of one cell, in the order written.</summary>
public sealed record EquationBlock(IReadOnlyList<Assignment> Assignments, TextSpan Span);

/// <summary><c>a, b = expr</c> (one or more targets).</summary>
public sealed record Assignment(IReadOnlyList<NameToken> Targets, Expr Value, TextSpan Span);

public abstract record Expr(TextSpan Span);

/// <summary>A numeric literal such as <c>1</c> or <c>0.5</c>.</summary>
public sealed record NumberExpr(double Value, TextSpan Span) : Expr(Span);

/// <summary>A reference to a parameter, the input <c>x</c>, a state or a local value.</summary>
public sealed record NameExpr(string Name, TextSpan Span) : Expr(Span);

/// <summary><c>s[t-1]</c>: the previous step's value of state <c>s</c>.</summary>
public sealed record PreviousExpr(NameToken Name, TextSpan Span) : Expr(Span);

public enum UnaryOperator { Negate }

public sealed record UnaryExpr(UnaryOperator Operator, Expr Operand, TextSpan Span) : Expr(Span);

public enum BinaryOperator { Add, Subtract, Multiply, Divide, MatMul }

public sealed record BinaryExpr(BinaryOperator Operator, Expr Left, Expr Right, TextSpan OperatorSpan, TextSpan Span) : Expr(Span);

/// <summary><c>f(a, b)</c>.</summary>
public sealed record CallExpr(NameToken Function, IReadOnlyList<Expr> Arguments, TextSpan Span) : Expr(Span);
