using RnnGraph.Compiler.Ops;

namespace RnnGraph.Compiler.IR;

/// <summary>
/// The one IR node type: an op applied to input nodes with attributes, producing a tensor of a known shape.
/// Immutable and hash-consed by <see cref="GraphBuilder"/>, so structurally equal nodes are one object.
/// </summary>
public sealed class Node
{
    internal Node(int id, OpDefinition op, Node[] inputs, OpAttributes attributes, Shape shape, NodeOrigin origin)
    {
        Id = id;
        Op = op;
        Inputs = inputs;
        Attributes = attributes;
        Shape = shape;
        Origin = origin;
    }

    /// <summary>Creation order within its builder; always larger than every input's id (a topological order).</summary>
    public int Id { get; }
    public OpDefinition Op { get; }
    public IReadOnlyList<Node> Inputs { get; }
    public OpAttributes Attributes { get; }
    public Shape Shape { get; }
    public NodeOrigin Origin { get; }

    public override string ToString() => $"%{Id} = {Op.Name} : {Shape}";
}
