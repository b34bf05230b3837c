using System.Runtime.InteropServices;
using RnnGraph.Compiler.Ops;

namespace RnnGraph.Compiler.IR;

/// <summary>
/// Creates nodes. Structurally equal nodes (same op, inputs and attributes) are returned as the same
/// object, so common subexpressions are shared as the graph is built. With <see cref="Simplify"/> on,
/// each op's simplification rule runs first (used by the optimizing passes, not by unrolling).
/// </summary>
public sealed partial class GraphBuilder
{
    private readonly Dictionary<NodeKey, Node> _interned = new();
    private readonly List<Node> _nodes = new();

    private static int s_builders;
    private readonly int _serial = Interlocked.Increment(ref s_builders);

    public GraphBuilder(bool simplify = false) => Simplify = simplify;

    /// <param name="simplify">See <see cref="Simplify"/>.</param>
    /// <param name="capacity">About how many nodes it will make (room reserved up front, so its tables do not grow step by step).</param>
    public GraphBuilder(bool simplify, int capacity)
        : this(simplify)
    {
        _interned.EnsureCapacity(capacity);
        _nodes.Capacity = capacity;
    }

    /// <summary>The input shapes of the node being applied, read through its inputs (no array per node).</summary>
    private sealed class InputShapes : IReadOnlyList<Shape>
    {
        public Node[] Inputs = [];
        public Shape this[int index] => Inputs[index].Shape;
        public int Count => Inputs.Length;
        public IEnumerator<Shape> GetEnumerator() => Inputs.Select(i => i.Shape).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private readonly InputShapes _shapes = new();

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

        // Shape rules read their argument and return; nothing keeps it, so one view serves every node.
        _shapes.Inputs = inputs;
        var shape = op.ShapeRule(_shapes, attributes);
        _shapes.Inputs = [];
        if (Simplify && op.Simplify?.Invoke(this, inputs, attributes, shape) is { } simpler) return simpler;

        // One hash lookup finds the existing node or the slot for the new one.
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_interned, new NodeKey(op, attributes, inputs), out bool exists);
        if (exists) return slot!;
        var node = new Node(_serial, _nodes.Count, op, inputs, attributes, shape, CurrentOrigin);
        slot = node;
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// Adds a node the caller knows to be new to this builder and of the given (already checked) shape, without hashing
    /// it: later nodes are then not merged with it. For copying a graph that has no two equal nodes.
    /// </summary>
    internal Node AddUnique(OpDefinition op, OpAttributes attributes, Node[] inputs, Shape shape, NodeOrigin origin)
    {
        var node = new Node(_serial, _nodes.Count, op, inputs, attributes, shape, origin);
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// Adds a node the caller knows to be equal to none in this builder, with its (already checked) shape, at
    /// <see cref="CurrentOrigin"/>; later <see cref="Apply(OpDefinition, OpAttributes, Node[])"/> calls find it as usual.
    /// </summary>
    internal Node AddDistinct(OpDefinition op, OpAttributes attributes, Node[] inputs, Shape shape)
    {
        var node = new Node(_serial, _nodes.Count, op, inputs, attributes, shape, CurrentOrigin);
        _interned.Add(new NodeKey(op, attributes, inputs), node);
        _nodes.Add(node);
        return node;
    }

    public Node Apply(string op, OpAttributes attributes, params Node[] inputs) => Apply(OpTable.Get(op), attributes, inputs);

    public Node Apply(string op, params Node[] inputs) => Apply(OpTable.Get(op), OpAttributes.None, inputs);

    /// <summary>
    /// What makes two nodes one: the op's name, the inputs (by id) and every attribute. Scalars are equal when they
    /// print alike ("R"), so 0 and -0 stay apart and any NaN equals any NaN; a null name equals the empty one.
    /// </summary>
    private readonly struct NodeKey : IEquatable<NodeKey>
    {
        private readonly string _op;
        private readonly OpAttributes _attributes;
        private readonly Node[] _inputs;
        private readonly int _hash;

        public NodeKey(OpDefinition op, OpAttributes attributes, Node[] inputs)
        {
            _op = op.Name;
            _attributes = attributes;
            _inputs = inputs;
            var h = new HashCode();
            h.Add(op.NameHash);
            foreach (var input in inputs) h.Add(input.Id);
            h.Add(string.IsNullOrEmpty(attributes.Name) ? 0 : attributes.Name.GetHashCode(StringComparison.Ordinal));
            h.Add(attributes.Index);
            h.Add(double.IsNaN(attributes.Scalar) ? double.NaN : attributes.Scalar);
            h.Add(attributes.I0);
            h.Add(attributes.I1);
            h.Add(attributes.Shape);
            _hash = h.ToHashCode();
        }

        public bool Equals(NodeKey other)
        {
            if (_hash != other._hash || _inputs.Length != other._inputs.Length || !string.Equals(_op, other._op, StringComparison.Ordinal)) return false;
            for (int i = 0; i < _inputs.Length; i++)
                if (_inputs[i].Id != other._inputs[i].Id) return false;
            var a = _attributes;
            var b = other._attributes;
            return ReferenceEquals(a, b)
                || (a.Index == b.Index && a.I0 == b.I0 && a.I1 == b.I1
                    && string.Equals(a.Name ?? "", b.Name ?? "", StringComparison.Ordinal)
                    && SameScalar(a.Scalar, b.Scalar)
                    && (a.Shape is null ? b.Shape is null : a.Shape.Equals(b.Shape)));
        }

        private static bool SameScalar(double a, double b) =>
            BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b) || (double.IsNaN(a) && double.IsNaN(b));

        public override bool Equals(object? obj) => obj is NodeKey other && Equals(other);

        public override int GetHashCode() => _hash;
    }
}
