using System.Text;
using RnnGraph.Compiler.Ops;

namespace RnnGraph.Compiler.IR;

/// <summary>
/// Creates nodes. Structurally equal nodes (same op, inputs and attributes) are returned as the same
/// object, so common subexpressions are shared as the graph is built. With <see cref="Simplify"/> on,
/// each op's simplification rule runs first (used by the optimizing passes, not by unrolling).
/// </summary>
public sealed partial class GraphBuilder
{
    private readonly Dictionary<string, Node> _interned = new(StringComparer.Ordinal);
    private readonly List<Node> _nodes = new();

    public GraphBuilder(bool simplify = false) => Simplify = simplify;

    public bool Simplify { get; }

    /// <summary>The origin given to nodes created from now on (set by the unroller and the autodiff pass).</summary>
    public NodeOrigin CurrentOrigin { get; set; } = NodeOrigin.None;

    public IReadOnlyList<Node> Nodes => _nodes;

    public Node Apply(OpDefinition op, OpAttributes attributes, params Node[] inputs)
    {
        if (op.Arity >= 0 && inputs.Length != op.Arity)
            throw new ArgumentException($"op '{op.Name}' takes {op.Arity} inputs, got {inputs.Length}");
        if (op.Arity < 0 && inputs.Length == 0)
            throw new ArgumentException($"op '{op.Name}' needs at least one input");

        var shape = op.ShapeRule(inputs.Select(i => i.Shape).ToArray(), attributes);
        if (Simplify && op.Simplify?.Invoke(this, inputs, attributes, shape) is { } simpler) return simpler;

        string key = Key(op, attributes, inputs);
        if (_interned.TryGetValue(key, out var existing)) return existing;

        var node = new Node(_nodes.Count, op, inputs, attributes, shape, CurrentOrigin);
        _interned.Add(key, node);
        _nodes.Add(node);
        return node;
    }

    public Node Apply(string op, OpAttributes attributes, params Node[] inputs) => Apply(OpTable.Get(op), attributes, inputs);

    public Node Apply(string op, params Node[] inputs) => Apply(OpTable.Get(op), OpAttributes.None, inputs);

    private static string Key(OpDefinition op, OpAttributes a, Node[] inputs)
    {
        var sb = new StringBuilder(op.Name);
        foreach (var input in inputs) sb.Append(' ').Append(input.Id);
        sb.Append('|').Append(a.Name).Append('|').Append(a.Index).Append('|')
          .Append(a.Scalar.ToString("R", System.Globalization.CultureInfo.InvariantCulture))
          .Append('|').Append(a.I0).Append('|').Append(a.I1).Append('|').Append(a.Shape);
        return sb.ToString();
    }
}
