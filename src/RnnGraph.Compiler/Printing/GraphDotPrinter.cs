using System.Text;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Printing;

/// <summary>
/// Prints a graph as Graphviz DOT laid out as a grid: one cluster per time step (left to right), within a step one
/// lane per (layer, stack index, direction), forward lanes above backward ones. Params and constants sit once in a
/// "parameters" cluster with light edges; edges across steps (the recurrence) are blue and do not constrain the
/// layout, so every step's lanes line up. Backward nodes (those only gradients need) are red. Above
/// <see cref="DotOptions.CollapseAbove"/> steps the middle steps become one ellipsis node per lane.
/// Node names <c>%n</c> are the text dump's numbers.
/// </summary>
public static class GraphDotPrinter
{
    private const string ForwardFill = "#e8f0fb", ForwardLine = "#4a6fa5";
    private const string BackwardFill = "#fbe4d8", BackwardLine = "#c0504d";
    private const string SharedFill = "#f2f2f2", SharedLine = "#9a9a9a", SharedEdge = "#c8c8c8";
    private const string InputFill = "#dff0d8", OutputFill = "#fff2cc", RecurrentEdge = "#2b7bba";

    public static string Print(Graph graph) => Print(graph, DotOptions.Default);

    public static string Print(Graph graph, DotOptions options)
    {
        var layout = DotLayout.Create(graph, options);
        var columns = new List<string>();
        var sb = new StringBuilder();
        sb.Append("digraph \"").Append(graph.Stage).Append("\" {\n");
        sb.Append("  // stage: ").Append(graph.Stage).Append(", steps: ").Append(graph.Info.DescribeSteps()).Append(", nodes: ").Append(graph.Nodes.Count);
        if (layout.Collapsed) sb.Append(", steps ").Append(layout.HiddenFrom).Append("..").Append(layout.HiddenTo).Append(" collapsed");
        sb.Append('\n');
        // newrank lets the invisible anchors at the top of every column share one rank, chained in column order.
        sb.Append("  rankdir=TB; newrank=true; nodesep=0.15; ranksep=0.3; fontname=\"Helvetica\"; fontsize=12;\n");
        sb.Append("  node [fontname=\"monospace\", fontsize=9, height=0.3, margin=\"0.06,0.03\"];\n");
        sb.Append("  edge [arrowsize=0.5];\n");

        if (options.Legend) AppendLegend(sb, columns, layout);
        AppendShared(sb, columns, layout);
        foreach (int step in layout.VisibleSteps.Where(s => !layout.Collapsed || s < layout.HiddenFrom)) AppendStep(sb, columns, layout, step);
        if (layout.Collapsed) AppendMiddle(sb, columns, layout);
        foreach (int step in layout.VisibleSteps.Where(s => layout.Collapsed && s > layout.HiddenTo)) AppendStep(sb, columns, layout, step);
        AppendAcrossSteps(sb, columns, layout);
        AppendEdges(sb, layout);
        AppendOutputs(sb, layout);
        AppendColumnOrder(sb, columns);
        sb.Append("}\n");
        return sb.ToString();
    }

    private static void AppendLegend(StringBuilder sb, List<string> columns, DotLayout layout)
    {
        var entries = new List<(string Id, string Attributes)>
        {
            ("legend_forward", $"shape=box, style=\"rounded,filled\", fillcolor=\"{ForwardFill}\", color=\"{ForwardLine}\", label=\"forward op\""),
        };
        if (layout.Backward.Any(n => !DotLayout.IsShared(n)))
            entries.Add(("legend_backward", $"shape=box, style=\"rounded,filled\", fillcolor=\"{BackwardFill}\", color=\"{BackwardLine}\", label=\"backward op (autodiff)\""));
        entries.Add(("legend_param", $"shape=ellipse, style=filled, fillcolor=\"{SharedFill}\", color=\"{SharedLine}\", label=\"parameter / constant\""));
        entries.Add(("legend_input", $"shape=invhouse, style=filled, fillcolor=\"{InputFill}\", color=\"#5b9a4b\", label=\"input\""));
        entries.Add(("legend_output", $"shape=house, style=filled, fillcolor=\"{OutputFill}\", color=\"#b08d00\", label=\"output\""));
        if (layout.Collapsed)
            entries.Add(("legend_ellipsis", $"shape=box, style=dashed, color=\"{ForwardLine}\", fontname=\"Helvetica\", label=\"… k steps …\\n(collapsed lane)\""));
        entries.Add(("legend_recurrent", $"shape=plaintext, fontcolor=\"{RecurrentEdge}\", label=\"blue edge: across steps\""));
        entries.Add(("legend_shared", "shape=plaintext, fontcolor=\"#888888\", label=\"grey edge: from a parameter\""));

        sb.Append("  subgraph cluster_legend {\n    label=\"legend\"; style=dashed; color=\"#bbbbbb\";\n");
        AppendAnchor(sb, columns, "legend", "    ");
        foreach (var (id, attributes) in entries) sb.Append("    ").Append(id).Append(" [").Append(attributes).Append("];\n");
        // Invisible edges stack the entries in one column.
        sb.Append("    anchor_legend -> ").Append(string.Join(" -> ", entries.Select(e => e.Id))).Append(" [style=invis];\n");
        sb.Append("  }\n");
    }

    /// <summary>An invisible point at the top of a column; <see cref="AppendColumnOrder"/> lines the anchors up in order.</summary>
    private static void AppendAnchor(StringBuilder sb, List<string> columns, string column, string indent)
    {
        columns.Add("anchor_" + column);
        sb.Append(indent).Append("anchor_").Append(column).Append(" [shape=point, style=invis, width=0, height=0, label=\"\"];\n");
    }

    private static void AppendColumnOrder(StringBuilder sb, List<string> columns)
    {
        if (columns.Count < 2) return;
        sb.Append("  { rank=same; ").Append(string.Join("; ", columns)).Append("; }\n");
        sb.Append("  ").Append(string.Join(" -> ", columns)).Append(" [style=invis];\n");
    }

    private static void AppendShared(StringBuilder sb, List<string> columns, DotLayout layout)
    {
        var shared = layout.Graph.Nodes.Where(DotLayout.IsShared).ToList();
        if (shared.Count == 0) return;
        sb.Append("  subgraph cluster_parameters {\n    label=\"parameters and constants (shared by all steps)\"; style=\"rounded,filled\"; fillcolor=\"#fafafa\"; color=\"#cccccc\";\n");
        AppendAnchor(sb, columns, "parameters", "    ");
        foreach (var node in shared) AppendNode(sb, layout, node, "    ");
        // Invisible edges stack each layer's parameters (and the constants) in a column instead of one wide row.
        foreach (var group in shared.GroupBy(n => n.Op.Name == "param" ? (n.Origin.Scope, n.Origin.Layer, n.Origin.Direction) : (null, -2, -2)))
        {
            if (group.Count() < 2) continue;
            sb.Append("    ").Append(string.Join(" -> ", group.Select(n => "n" + layout.Numbers[n]))).Append(" [style=invis];\n");
        }
        sb.Append("  }\n");
    }

    private static void AppendStep(StringBuilder sb, List<string> columns, DotLayout layout, int step)
    {
        var nodes = layout.Graph.Nodes.Where(n => layout.DrawnStep(n) == step).ToList();
        sb.Append("  subgraph cluster_t").Append(step).Append(" {\n    label=\"t=").Append(step).Append("\"; style=rounded; color=\"#888888\";\n");
        AppendAnchor(sb, columns, "t" + step, "    ");
        foreach (var lane in layout.Lanes)
        {
            var inLane = nodes.Where(n => layout.LaneOf(n) == lane).ToList();
            if (inLane.Count == 0) continue;
            sb.Append("    subgraph cluster_t").Append(step).Append("_lane").Append(layout.Lanes.IndexOf(lane)).Append(" {\n      label=\"")
              .Append(Escape(lane.Label)).Append("\"; style=\"rounded,filled\"; color=\"").Append(lane.Backward ? BackwardLine : ForwardLine)
              .Append("\"; fillcolor=\"").Append(lane.Backward ? "#fff8f4" : "#f7faff").Append("\"; fontsize=10;\n");
            foreach (var node in inLane) AppendNode(sb, layout, node, "      ");
            sb.Append("    }\n");
        }
        for (int i = 0; i < layout.Graph.Outputs.Count; i++)
        {
            var output = layout.Graph.Outputs[i];
            if (layout.DrawnStep(output.Node) == step) AppendOutputNode(sb, layout, i, "    ");
        }
        sb.Append("  }\n");
    }

    private static void AppendMiddle(StringBuilder sb, List<string> columns, DotLayout layout)
    {
        int count = layout.HiddenTo - layout.HiddenFrom + 1;
        sb.Append("  subgraph cluster_middle {\n    label=\"t=").Append(layout.HiddenFrom).Append("..").Append(layout.HiddenTo)
          .Append("\"; style=\"rounded,dashed\"; color=\"#888888\";\n");
        AppendAnchor(sb, columns, "middle", "    ");
        foreach (var lane in layout.HiddenLanes)
        {
            sb.Append("    ").Append(layout.EllipsisId(lane)).Append(" [shape=box, style=\"dashed,filled\", fillcolor=\"")
              .Append(lane.Backward ? "#fff8f4" : "#f7faff").Append("\", color=\"").Append(lane.Backward ? BackwardLine : ForwardLine)
              .Append("\", fontname=\"Helvetica\", label=\"… ").Append(count).Append(" steps …\\n").Append(Escape(lane.Label))
              .Append("\\n").Append(layout.HiddenCount[lane]).Append(" nodes\"];\n");
        }
        sb.Append("  }\n");
    }

    private static void AppendAcrossSteps(StringBuilder sb, List<string> columns, DotLayout layout)
    {
        var nodes = layout.Graph.Nodes.Where(n => layout.DrawnStep(n) == -1 && !DotLayout.IsShared(n)).ToList();
        var outputs = Enumerable.Range(0, layout.Graph.Outputs.Count).Where(i => layout.DrawnStep(layout.Graph.Outputs[i].Node) == -1).ToList();
        if (nodes.Count == 0 && outputs.Count == 0) return;
        sb.Append("  subgraph cluster_all_steps {\n    label=\"across steps (sums over t)\"; style=rounded; color=\"#888888\";\n");
        AppendAnchor(sb, columns, "all_steps", "    ");
        foreach (var node in nodes) AppendNode(sb, layout, node, "    ");
        foreach (int i in outputs) AppendOutputNode(sb, layout, i, "    ");
        sb.Append("  }\n");
    }

    private static void AppendNode(StringBuilder sb, DotLayout layout, Node node, string indent)
    {
        string attributes = GraphTextPrinter.FormatAttributes(node);
        // A fused program reads better one statement per line.
        if (node.Op.Name == "fused") attributes = "\\n" + attributes.Trim('{', '}').Replace("; ", "\\n", StringComparison.Ordinal);
        string label = $"%{layout.Numbers[node]} {node.Op.Name}{(attributes.Length > 0 ? " " + attributes : "")}\\n{node.Shape}";
        if (node.Origin.Label is { } l && !DotLayout.IsShared(node)) label += "\\n" + Escape(l);
        bool backward = layout.Backward.Contains(node);
        string style = node.Op.Name switch
        {
            "param" or "const" or "zeros" => $"shape=ellipse, style=filled, fillcolor=\"{SharedFill}\", color=\"{SharedLine}\", fontcolor=\"#555555\"",
            "input" => $"shape=invhouse, style=filled, fillcolor=\"{(backward ? BackwardFill : InputFill)}\", color=\"{(backward ? BackwardLine : "#5b9a4b")}\"",
            _ => $"shape=box, style=\"rounded,filled\", fillcolor=\"{(backward ? BackwardFill : ForwardFill)}\", color=\"{(backward ? BackwardLine : ForwardLine)}\"",
        };
        sb.Append(indent).Append('n').Append(layout.Numbers[node]).Append(" [").Append(style).Append(", label=\"").Append(label).Append("\"];\n");
    }

    private static void AppendOutputNode(StringBuilder sb, DotLayout layout, int index, string indent)
    {
        var output = layout.Graph.Outputs[index];
        bool gradient = output.Name.StartsWith("grad.", StringComparison.Ordinal);
        sb.Append(indent).Append("out").Append(index).Append(" [shape=house, style=filled, fillcolor=\"").Append(OutputFill)
          .Append("\", color=\"").Append(gradient ? BackwardLine : "#b08d00").Append("\", label=\"").Append(Escape(output.Key)).Append("\"];\n");
    }

    private static void AppendEdges(StringBuilder sb, DotLayout layout)
    {
        var drawn = new HashSet<(string, string)>();
        foreach (var node in layout.Graph.Nodes)
        {
            foreach (var input in node.Inputs)
            {
                string from = layout.DotId(input), to = layout.DotId(node);
                bool collapsed = layout.IsHidden(input) || layout.IsHidden(node);
                if (collapsed && (from == to || !drawn.Add((from, to)))) continue;

                // Edges between columns (steps, parameters, sums over steps) neither rank nor order the layout: each column
                // is laid out on its own, so the lanes of all steps line up, and the columns keep the order they are written in.
                int fromStep = layout.DrawnStep(input), toStep = layout.DrawnStep(node);
                bool acrossColumns = DotLayout.IsShared(input) || fromStep != toStep;
                var attributes = new List<string>();
                if (DotLayout.IsShared(input)) attributes.Add($"color=\"{SharedEdge}\", penwidth=0.5, arrowsize=0.3");
                else if (fromStep >= 0 && toStep >= 0 && fromStep != toStep) attributes.Add($"color=\"{RecurrentEdge}\", penwidth=1.4");
                else if (layout.Backward.Contains(node)) attributes.Add($"color=\"{BackwardLine}\"");
                if (acrossColumns) attributes.Add("constraint=false");
                if (collapsed) attributes.Add("style=dashed");
                sb.Append("  ").Append(from).Append(" -> ").Append(to);
                if (attributes.Count > 0) sb.Append(" [").Append(string.Join(", ", attributes)).Append(']');
                sb.Append(";\n");
            }
        }
    }
    private static void AppendOutputs(StringBuilder sb, DotLayout layout)
    {
        for (int i = 0; i < layout.Graph.Outputs.Count; i++)
        {
            var node = layout.Graph.Outputs[i].Node;
            if (layout.IsHidden(node)) continue;
            sb.Append("  n").Append(layout.Numbers[node]).Append(" -> out").Append(i).Append(";\n");
        }
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
