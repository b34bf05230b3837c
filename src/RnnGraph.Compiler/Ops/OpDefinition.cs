using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Ops;

/// <summary>Computes an op's output shape from its input shapes; throws <see cref="ShapeException"/> when they do not fit.</summary>
public delegate Shape ShapeRule(IReadOnlyList<Shape> inputs, OpAttributes attributes);

/// <summary>
/// Builds the gradient of each input from the node and the gradient flowing into it, in terms of other ops.
/// Returns one entry per input; null where the input is not differentiable (e.g. token ids).
/// </summary>
public delegate Node?[] GradientRule(GraphBuilder b, Node node, Node grad);

/// <summary>Optionally replaces a node by a simpler equivalent (e.g. <c>x * 0 → 0</c>); null keeps it.</summary>
public delegate Node? SimplifyRule(GraphBuilder b, IReadOnlyList<Node> inputs, OpAttributes attributes, Shape shape);

/// <summary>
/// One primitive op, defined once: its name, arity, shape rule, gradient rule and optional simplification.
/// The runtime maps the same name to a kernel; a test fails when an op has none.
/// </summary>
public sealed class OpDefinition
{
    public OpDefinition(string name, int arity, ShapeRule shapeRule, GradientRule? gradient, SimplifyRule? simplify = null, string? attributeDoc = null)
    {
        Name = name;
        NameHash = name.GetHashCode(StringComparison.Ordinal);
        Arity = arity;
        ShapeRule = shapeRule;
        Gradient = gradient;
        Simplify = simplify;
        AttributeDoc = attributeDoc;
    }

    public string Name { get; }

    /// <summary>The name's hash, computed once (the builder hashes every node it is asked for).</summary>
    internal int NameHash { get; }

    /// <summary>Number of inputs; -1 for variadic ops (at least one input).</summary>
    public int Arity { get; }
    public ShapeRule ShapeRule { get; }

    /// <summary>Null only for leaf ops (no inputs).</summary>
    public GradientRule? Gradient { get; }
    public SimplifyRule? Simplify { get; }

    /// <summary>Which <see cref="OpAttributes"/> fields the op reads, for the op reference.</summary>
    public string? AttributeDoc { get; }

    public bool IsLeaf => Arity == 0;

    public override string ToString() => Name;
}

/// <summary>An op was applied to inputs whose shapes do not fit; an internal error once binding has succeeded.</summary>
public sealed class ShapeException(string message) : Exception(message);
