using RnnGraph.Compiler.Ops;

namespace RnnGraph.Compiler.IR;

/// <summary>
/// The one IR node type: an op applied to input nodes with attributes, producing a tensor of a known shape.
/// Immutable and hash-consed by <see cref="GraphBuilder"/>, so structurally equal nodes are one object.
/// </summary>
public sealed class Node
{
    /// <summary>A node made by hand, outside any builder (tests of the verifier build broken graphs this way).</summary>
    internal Node(int id, OpDefinition op, Node[] inputs, OpAttributes attributes, Shape shape, NodeOrigin origin)
        : this(NoBuilder, id, op, inputs, attributes, shape, origin)
    {
    }

    internal Node(int builder, int id, OpDefinition op, Node[] inputs, OpAttributes attributes, Shape shape, NodeOrigin origin)
    {
        Builder = builder;
        Id = id;
        Op = op;
        _inputs = inputs;
        Attributes = attributes;
        Shape = shape;
        Origin = origin;
    }

    /// <summary>
    /// Which <see cref="GraphBuilder"/> made the node (a number unique to it): nodes of one builder are hash-consed
    /// against each other, so no two of them are structurally equal.
    /// </summary>
    internal int Builder { get; }

    /// <summary>The <see cref="Builder"/> of a node made by hand: neither hash-consed nor of distinct ids.</summary>
    internal const int NoBuilder = 0;

    /// <summary>Creation order within its builder; always larger than every input's id (a topological order).</summary>
    public int Id { get; }
    public OpDefinition Op { get; }
    public IReadOnlyList<Node> Inputs => _inputs;

    /// <summary>The inputs as a span: for hot loops, which would otherwise go through the list interface (and box its enumerator).</summary>
    public ReadOnlySpan<Node> InputSpan => _inputs;

    private readonly Node[] _inputs;
    public OpAttributes Attributes { get; }
    public Shape Shape { get; }
    public NodeOrigin Origin { get; }

    /// <summary>Nodes are compared by reference; the id (spread by the builder's number) hashes them evenly at no cost.</summary>
    public override int GetHashCode() => Id + (int)(Builder * 0x9E3779B1u);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override string ToString() => $"%{Id} = {Op.Name} : {Shape}";
}
