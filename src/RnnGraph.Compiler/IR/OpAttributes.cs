namespace RnnGraph.Compiler.IR;

/// <summary>
/// The non-tensor arguments of a node. One small record for all ops keeps nodes hashable and
/// printable without a type per op; each op documents which fields it reads.
/// </summary>
public sealed record OpAttributes(string? Name = null, int Index = -1, double Scalar = 0, int I0 = 0, int I1 = 0, Shape? Shape = null)
{
    public static OpAttributes None { get; } = new();
}
