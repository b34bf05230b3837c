using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Printing;

namespace RnnGraph.Compiler.Passes;

/// <summary>
/// Checks a graph's invariants: inputs come before users (acyclic), every input is part of the graph,
/// arities and shapes agree with the op table. On failure the message shows the IR around the bad node.
/// </summary>
public static class GraphVerifier
{
    public static void Verify(Graph graph)
    {
        var position = new Dictionary<Node, int>();
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            if (!position.TryAdd(node, i)) Fail(graph, node, "node appears twice");
            if (node.Op.Arity >= 0 && node.Inputs.Count != node.Op.Arity) Fail(graph, node, $"has {node.Inputs.Count} inputs, op takes {node.Op.Arity}");
            foreach (var input in node.Inputs)
            {
                if (!position.ContainsKey(input)) Fail(graph, node, $"uses %?{input.Id} ({input.Op.Name}) which is not defined before it");
            }
            Ops.ShapeRule rule = node.Op.ShapeRule;
            Shape expected;
            try { expected = rule(node.Inputs.Select(n => n.Shape).ToArray(), node.Attributes); }
            catch (Ops.ShapeException e) { Fail(graph, node, e.Message); throw; }
            if (!expected.Equals(node.Shape)) Fail(graph, node, $"has shape {node.Shape} but its op gives {expected}");
        }
        foreach (var output in graph.Outputs)
        {
            if (!position.ContainsKey(output.Node)) throw new GraphVerificationException($"output {output.Key} refers to a node outside the graph");
        }
    }

    private static void Fail(Graph graph, Node node, string problem)
    {
        string context = GraphTextPrinter.PrintAround(graph, node, radius: 4);
        int position = graph.Nodes.ToList().IndexOf(node);
        throw new GraphVerificationException($"graph '{graph.Stage}' is invalid: %{position} {node.Op.Name} {problem}\n{context}");
    }
}

/// <summary>A compiler bug: a pass produced a graph that breaks the IR's invariants.</summary>
public sealed class GraphVerificationException(string message) : Exception(message);
