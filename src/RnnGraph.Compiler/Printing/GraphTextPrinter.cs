using System.Globalization;
using System.Text;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Printing;

/// <summary>
/// Prints a graph as deterministic text for review in a diff: nodes renumbered %0, %1, ... in
/// topological order, one per line with op, operands, attributes, shape and where it came from.
/// </summary>
public static class GraphTextPrinter
{
    public static string Print(Graph graph)
    {
        var numbers = Number(graph);
        var sb = new StringBuilder();
        sb.Append("# stage: ").Append(graph.Stage).Append('\n');
        sb.Append("# steps: ").Append(graph.Info.DescribeSteps()).Append(", batch: B, layout: ")
          .Append(graph.Info.BatchFirst ? "batch-first" : "time-major").Append('\n');
        sb.Append("# layers: ").Append(string.Join(", ", graph.Info.LayerNames)).Append('\n');
        sb.Append("# nodes: ").Append(graph.Nodes.Count).Append(", ops: ")
          .Append(string.Join(" ", graph.Nodes.GroupBy(n => n.Op.Name).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}")))
          .Append('\n');
        foreach (var node in graph.Nodes) sb.Append(Line(node, numbers)).Append('\n');
        foreach (var output in graph.Outputs) sb.Append("out ").Append(output.Key).Append(" = %").Append(numbers[output.Node]).Append('\n');
        return sb.ToString();
    }

    /// <summary>The lines within <paramref name="radius"/> of a node, the node itself marked, for verifier errors.</summary>
    public static string PrintAround(Graph graph, Node node, int radius)
    {
        var numbers = Number(graph);
        int at = graph.Nodes.ToList().IndexOf(node);
        var sb = new StringBuilder();
        for (int i = Math.Max(0, at - radius); i < Math.Min(graph.Nodes.Count, at + radius + 1); i++)
            sb.Append(i == at ? ">> " : "   ").Append(Line(graph.Nodes[i], numbers)).Append('\n');
        return sb.ToString();
    }

    private static Dictionary<Node, int> Number(Graph graph)
    {
        var numbers = new Dictionary<Node, int>(graph.Nodes.Count);
        for (int i = 0; i < graph.Nodes.Count; i++) numbers[graph.Nodes[i]] = i;
        return numbers;
    }

    private static string Line(Node node, Dictionary<Node, int> numbers)
    {
        var sb = new StringBuilder();
        sb.Append('%').Append(numbers.TryGetValue(node, out int k) ? k : node.Id).Append(" = ").Append(node.Op.Name);
        // An operand outside the graph (only in a broken graph the verifier reports) shows its builder id as %?id.
        string operands = string.Join(", ", node.Inputs.Select(i => numbers.TryGetValue(i, out int j) ? "%" + j : "%?" + i.Id));
        if (operands.Length > 0) sb.Append(' ').Append(operands);
        string attributes = FormatAttributes(node);
        if (attributes.Length > 0) sb.Append(operands.Length > 0 ? " " : " ").Append(attributes);
        sb.Append(" : ").Append(node.Shape);
        string origin = node.Origin.Describe();
        if (origin.Length > 0) sb.Append("  # ").Append(origin);
        return sb.ToString();
    }

    /// <summary>The attributes an op reads, in a compact form such as <c>{transB}</c> or <c>{start=5, len=5}</c>.</summary>
    public static string FormatAttributes(Node node)
    {
        var a = node.Attributes;
        string? text = node.Op.Name switch
        {
            "input" => a.Index >= 0 ? $"{a.Name}[{a.Index}]" : a.Name,
            "param" => a.Name,
            "const" => a.Scalar.ToString("R", CultureInfo.InvariantCulture),
            "zeros" => null,
            "matmul" => a.I0 == 1 && a.I1 == 1 ? "{transA, transB}" : a.I0 == 1 ? "{transA}" : a.I1 == 1 ? "{transB}" : null,
            "slice_last" => $"{{start={a.I0}, len={a.I1}}}",
            "pad_last" => $"{{start={a.I0}, width={a.I1}}}",
            "slice_rows" => $"{{start={Shape.FormatDim(a.I0)}, rows={Shape.FormatDim(a.I1)}}}",
            "pad_rows" => $"{{start={Shape.FormatDim(a.I0)}, total={Shape.FormatDim(a.I1)}}}",
            "sum_to" or "broadcast_to" => $"{{to={a.Shape}}}",
            "scatter_add_rows" => $"{{rows={a.I0}}}",
            "scatter_last" => $"{{width={a.I0}}}",
            "fused" => $"{{{a.Name}}}",
            _ => null,
        };
        if (node.Op.Name == "input" && a.I0 == (int)InputKind.TokenIds) text += " {ids}";
        if (node.Op.Name == "input" && a.I0 == (int)InputKind.Mask) text += " {mask}";
        if (node.Op.Name == "input" && a.I0 == (int)InputKind.Dropout) text += string.Create(CultureInfo.InvariantCulture, $" {{dropout p={a.Scalar}}}");
        return text ?? "";
    }
}
