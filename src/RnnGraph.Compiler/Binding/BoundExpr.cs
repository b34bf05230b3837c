using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Binding;

/// <summary>
/// A checked cell expression. <see cref="Size"/> is the vector length per batch row, or 0 for a scalar.
/// </summary>
public abstract record BoundExpr(int Size, TextSpan Span);

/// <summary>A 1-D parameter used as a vector.</summary>
public sealed record BoundParamRef(string Param, int Size, TextSpan Span) : BoundExpr(Size, Span);

/// <summary>The step input <c>x</c>.</summary>
public sealed record BoundInputRef(int Size, TextSpan Span) : BoundExpr(Size, Span);

/// <summary><c>s[t-1]</c>.</summary>
public sealed record BoundPreviousState(string State, int Size, TextSpan Span) : BoundExpr(Size, Span);

/// <summary>A value defined by another equation in the same step (including a state's new value).</summary>
public sealed record BoundLocalRef(string Name, int Size, TextSpan Span) : BoundExpr(Size, Span);

public sealed record BoundConstant(double Value, TextSpan Span) : BoundExpr(0, Span);

/// <summary>A zero vector: what a dropped bias contributes; removed from sums while binding.</summary>
public sealed record BoundZero(int Size, TextSpan Span) : BoundExpr(Size, Span);

/// <summary>An elementwise op by its IR op name: add, sub, mul, div, neg, tanh, sigmoid, relu, exp, log, softmax.</summary>
public sealed record BoundElementwise(string Op, IReadOnlyList<BoundExpr> Operands, int Size, TextSpan Span) : BoundExpr(Size, Span);

/// <summary>
/// Rows [RowStart, RowStart + Rows) of a 2-D parameter: the whole matrix, or a piece of <c>chunk(W, n)</c>.
/// Matrices appear only on the left of <c>@</c>; <see cref="BoundExpr.Size"/> is their row count.
/// </summary>
public sealed record BoundMatrix(string Param, int RowStart, int Rows, int Cols, bool IsWhole, TextSpan Span) : BoundExpr(Rows, Span)
{
    public string ShapeText => $"[{Rows}, {Cols}]";
}

/// <summary><c>W @ v</c> with W a parameter matrix or a row piece of one.</summary>
public sealed record BoundMatVec(BoundMatrix Matrix, BoundExpr Vector, int Size, TextSpan Span) : BoundExpr(Size, Span);

/// <summary>Piece <c>Index</c> of <c>chunk(Source, Count)</c>.</summary>
public sealed record BoundChunkPart(BoundExpr Source, int Count, int Index, TextSpan Span) : BoundExpr(Source.Size / Count, Span);

public sealed record BoundConcat(IReadOnlyList<BoundExpr> Parts, int Size, TextSpan Span) : BoundExpr(Size, Span);

/// <summary>Stands in for an expression that already produced a diagnostic, so errors do not cascade.</summary>
public sealed record BoundError(TextSpan Span) : BoundExpr(-1, Span);
