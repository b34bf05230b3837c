using System.Text;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Printing;

/// <summary>Prints a graph as Graphviz DOT: leaves as ellipses, ops as boxes, one cluster per unrolled step.</summary>
public static class GraphDotPrinter
{
    public static string Print(Graph graph)
    {
        var numbers = new Dictionary<Node, int>();
        for (int i = 0; i < graph.Nodes.Count; i++) numbers[graph.Nodes[i]] = i;

        var sb = new StringBuilder();
        sb.Append("digraph \"").Append(graph.Stage).Append("\" {\n");
        sb.Append("  rankdir=TB;\n  node [fontname=\"monospace\", fontsize=10];\n");

        foreach (var group in graph.Nodes.GroupBy(n => n.Origin.Step).OrderBy(g => g.Key))
        {
            string indent = "  ";
            if (group.Key >= 0)
            {
                sb.Append("  subgraph cluster_t").Append(group.Key).Append(" {\n    label=\"t=").Append(group.Key).Append("\";\n");
                indent = "    ";
            }
            foreach (var node in group)
            {
                string attributes = GraphTextPrinter.FormatAttributes(node);
                string label = $"%{numbers[node]} {node.Op.Name}{(attributes.Length > 0 ? " " + attributes : "")}\\n{node.Shape}";
                if (node.Origin.Label is { } l) label += "\\n" + l;
                string shape = node.Op.IsLeaf ? "ellipse" : "box";
                sb.Append(indent).Append('n').Append(numbers[node]).Append(" [shape=").Append(shape)
                  .Append(", label=\"").Append(label.Replace("\"", "\\\"")).Append("\"];\n");
            }
            if (group.Key >= 0) sb.Append("  }\n");
        }
        foreach (var node in graph.Nodes)
            foreach (var input in node.Inputs)
                sb.Append("  n").Append(numbers[input]).Append(" -> n").Append(numbers[node]).Append(";\n");
        for (int i = 0; i < graph.Outputs.Count; i++)
        {
            var o = graph.Outputs[i];
            sb.Append("  out").Append(i).Append(" [shape=plaintext, label=\"").Append(o.Key).Append("\"];\n");
            sb.Append("  n").Append(numbers[o.Node]).Append(" -> out").Append(i).Append(";\n");
        }
        sb.Append("}\n");
        return sb.ToString();
    }
}
