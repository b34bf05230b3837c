using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Ops;

/// <summary>
/// Every primitive op of the IR. Each is declared exactly once here (shape rule, gradient rule,
/// simplification); the partial files group them by family.
/// </summary>
public static partial class OpTable
{
    private static readonly Dictionary<string, OpDefinition> ByName = new(StringComparer.Ordinal);

    static OpTable()
    {
        foreach (var op in LeafOps().Concat(ElementwiseOps()).Concat(LinearAlgebraOps()).Concat(ShapeOps()))
        {
            if (!ByName.TryAdd(op.Name, op)) throw new InvalidOperationException($"op '{op.Name}' is declared twice");
        }
    }

    /// <summary>All ops, sorted by name.</summary>
    public static IReadOnlyList<OpDefinition> All => ByName.Values.OrderBy(o => o.Name, StringComparer.Ordinal).ToList();

    public static OpDefinition Get(string name) =>
        ByName.TryGetValue(name, out var op) ? op : throw new KeyNotFoundException($"unknown op '{name}'");

    // Fetched lazily by name so the static initializers of the partial files do not depend on order.
    public static OpDefinition Input => Get("input");
    public static OpDefinition Param => Get("param");
    public static OpDefinition Const => Get("const");
    public static OpDefinition Zeros => Get("zeros");

    internal static bool IsZeros(Node n) => n.Op.Name == "zeros";

    internal static Shape Same(IReadOnlyList<Shape> s, OpAttributes _) => s[0];

    internal static Shape BroadcastRule(IReadOnlyList<Shape> s, OpAttributes _) =>
        Shape.Broadcast(s[0], s[1]) ?? throw new ShapeException($"shapes {s[0]} and {s[1]} do not broadcast");
}
