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
        foreach (var node in graph.Nodes)
        {
            var inputs = new Node[node.Inputs.Count];
            for (int i = 0; i < inputs.Length; i++) inputs[i] = map[node.Inputs[i]];
            builder.CurrentOrigin = node.Origin;
            map[node] = builder.Apply(node.Op, node.Attributes, inputs);
        }
        builder.CurrentOrigin = NodeOrigin.None;
        return map;
    }

    /// <summary>Rebuilds the graph into a fresh builder and keeps only what the outputs reach.</summary>
    public static Graph Rebuild(Graph graph, string stage, bool simplify)
    {
        var builder = new GraphBuilder(simplify);
        var map = CopyInto(graph, builder);
        var outputs = graph.Outputs.Select(o => o with { Node = map[o.Node] }).ToList();
        return Graph.FromOutputs(stage, outputs, graph.Info);
    }
}
