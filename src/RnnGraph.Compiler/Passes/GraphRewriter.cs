using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Passes;

/// <summary>
/// Rebuilds a graph node by node through a new <see cref="GraphBuilder"/>. Because the builder
/// hash-conses (and optionally simplifies), a plain rebuild is common-subexpression elimination.
/// </summary>
public static class GraphRewriter
{
    /// <summary>Copies every node of <paramref name="graph"/> into <paramref name="builder"/>; returns old → new.</summary>
    public static Dictionary<Node, Node> CopyInto(Graph graph, GraphBuilder builder)
    {
        var map = new Dictionary<Node, Node>(graph.Nodes.Count);
        // Into an empty builder without simplification, a hash-consed graph's nodes stay distinct and keep their shapes.
        bool distinct = builder.Nodes.Count == 0 && !builder.Simplify && IsHashConsed(graph);
        foreach (var node in graph.Nodes)
        {
            var old = node.InputSpan;
            var inputs = new Node[old.Length];
            for (int i = 0; i < inputs.Length; i++) inputs[i] = map[old[i]];
            builder.CurrentOrigin = node.Origin;
            map[node] = distinct ? builder.AddDistinct(node.Op, node.Attributes, inputs, node.Shape) : builder.Apply(node.Op, node.Attributes, inputs);
        }
        builder.CurrentOrigin = NodeOrigin.None;
        return map;
    }

    /// <summary>
    /// Whether every node of <paramref name="graph"/> comes from one builder. Such a graph has no two structurally equal
    /// nodes (the builder returned the existing node instead), so a plain rebuild would only renumber it.
    /// </summary>
    public static bool IsHashConsed(Graph graph)
    {
        var nodes = graph.Nodes;
        if (nodes.Count == 0) return true;
        int builder = nodes[0].Builder;
        if (builder == Node.NoBuilder) return false;
        for (int i = 1; i < nodes.Count; i++)
            if (nodes[i].Builder != builder) return false;
        return true;
    }

    /// <summary>
    /// What <see cref="Rebuild"/> without simplification gives for a hash-consed graph (<see cref="IsHashConsed"/>):
    /// the same nodes with the ids of a fresh builder, without hashing every node again.
    /// </summary>
    public static Graph Renumber(Graph graph, string stage)
    {
        var builder = new GraphBuilder(simplify: false, graph.Nodes.Count);
        var map = new Dictionary<Node, Node>(graph.Nodes.Count);
        foreach (var node in graph.Nodes)
        {
            var old = node.InputSpan;
            var inputs = new Node[old.Length];
            for (int i = 0; i < inputs.Length; i++) inputs[i] = map[old[i]];
            map[node] = builder.AddUnique(node.Op, node.Attributes, inputs, node.Shape, node.Origin);
        }
        var outputs = graph.Outputs.Select(o => o with { Node = map[o.Node] }).ToList();
        return Graph.FromOutputs(stage, outputs, graph.Info);
    }

    /// <summary>Rebuilds the graph into a fresh builder and keeps only what the outputs reach.</summary>
    public static Graph Rebuild(Graph graph, string stage, bool simplify)
    {
        var builder = new GraphBuilder(simplify, graph.Nodes.Count);
        var map = CopyInto(graph, builder);
        var outputs = graph.Outputs.Select(o => o with { Node = map[o.Node] }).ToList();
        return Graph.FromOutputs(stage, outputs, graph.Info);
    }
}
