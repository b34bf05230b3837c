using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;

namespace RnnGraph.Compiler.Autodiff;

/// <summary>
/// Reverse-mode automatic differentiation as a graph-to-graph pass. For each forward output <c>o[i]</c>
/// an input <c>d&lt;o&gt;[i]</c> carries the upstream gradient; the pass walks the nodes in reverse
/// topological order, applies each op's gradient rule and sums the contributions that reach a node
/// from all of its uses (a weight is used at every unrolled step). Gradients come out as
/// <c>grad.&lt;param&gt;</c> and <c>grad.&lt;input&gt;[i]</c>.
/// </summary>
public static class AutodiffPass
{
    /// <param name="forward">The forward graph.</param>
    /// <param name="hasSeed">Which outputs receive an upstream gradient (by output name, e.g. "y"); others count as zero.</param>
    /// <param name="wantsGradient">Which leaves get a gradient output: params and float inputs, by name.</param>
    public static Graph Run(Graph forward, Func<string, bool>? hasSeed = null, Func<Node, bool>? wantsGradient = null)
    {
        hasSeed ??= _ => true;
        wantsGradient ??= IsDifferentiableLeaf;

        // The backward part is usually about twice the forward one.
        var builder = new GraphBuilder(simplify: false, forward.Nodes.Count * 3);
        var map = GraphRewriter.CopyInto(forward, builder);
        var targets = forward.Nodes.Where(n => n.Op.IsLeaf && n.Op.Name != "const" && n.Op.Name != "zeros" && wantsGradient(n))
                                   .Select(n => map[n]).ToList();

        var needsGrad = ReachableFrom(targets, builder.Nodes);
        var contributions = new Dictionary<Node, List<Node>>(forward.Nodes.Count);

        foreach (var output in forward.Outputs)
        {
            if (!hasSeed(output.Name)) continue;
            var node = map[output.Node];
            if (!needsGrad.Contains(node)) continue;
            builder.CurrentOrigin = node.Origin;
            var seed = builder.Input("d" + output.Name, output.Index, node.Shape);
            Contribute(contributions, node, seed);
        }

        var forwardNodes = forward.Nodes.Select(n => map[n]).Distinct().OrderByDescending(n => n.Id).ToList();
        var gradients = new Dictionary<Node, Node>(forward.Nodes.Count);
        (NodeOrigin From, string Label, NodeOrigin Made) lastOrigin = (NodeOrigin.None, "", NodeOrigin.None);
        foreach (var node in forwardNodes)
        {
            if (!contributions.TryGetValue(node, out var parts)) continue;
            builder.CurrentOrigin = GradientOrigin(ref lastOrigin, node);
            var grad = Sum(builder, parts);
            gradients[node] = grad;
            if (node.Op.IsLeaf) continue;

            var inputGrads = node.Op.Gradient!(builder, node, grad);
            for (int i = 0; i < node.Inputs.Count; i++)
            {
                if (inputGrads[i] is { } g && needsGrad.Contains(node.Inputs[i])) Contribute(contributions, node.Inputs[i], g);
            }
        }
        builder.CurrentOrigin = NodeOrigin.None;

        var outputs = forward.Outputs.Select(o => o with { Node = map[o.Node] }).ToList();
        foreach (var target in targets.OrderBy(t => t.Op.Name == "param" ? 1 : 0).ThenBy(t => t.Attributes.Name, StringComparer.Ordinal).ThenBy(t => t.Attributes.Index))
        {
            var grad = gradients.TryGetValue(target, out var g) ? g : builder.Zeros(target.Shape);
            outputs.Add(new GraphOutput("grad." + target.Attributes.Name, target.Attributes.Index, grad));
        }
        return Graph.FromOutputs("backward", outputs, forward.Info);
    }

    /// <summary>Params and float data inputs (not token ids, not upstream-gradient inputs).</summary>
    public static bool IsDifferentiableLeaf(Node n) =>
        n.Op.Name == "param" || (n.Op.Name == "input" && n.Attributes.I0 == (int)InputKind.Float);

    /// <summary>
    /// The origin of the nodes computing a node's gradient: its own, labelled <c>d</c> + its label (or op). Neighbouring
    /// nodes mostly share an origin, so the last one made is reused when it fits.
    /// </summary>
    private static NodeOrigin GradientOrigin(ref (NodeOrigin From, string Label, NodeOrigin Made) last, Node node)
    {
        string label = node.Origin.Label ?? node.Op.Name;
        if (!ReferenceEquals(last.From, node.Origin) || !string.Equals(last.Label, label, StringComparison.Ordinal))
            last = (node.Origin, label, node.Origin with { Label = "d" + label });
        return last.Made;
    }

    private static void Contribute(Dictionary<Node, List<Node>> contributions, Node node, Node grad)
    {
        if (!contributions.TryGetValue(node, out var list)) contributions[node] = list = new List<Node>();
        list.Add(grad);
    }

    private static Node Sum(GraphBuilder b, List<Node> parts)
    {
        parts = CombinePieces(b, parts);
        var total = parts[0];
        for (int i = 1; i < parts.Count; i++) total = b.Add(total, parts[i]);
        return total;
    }

    /// <summary>
    /// The gradients of a chunk's pieces arrive as zero-padded slices of the whole (pad_last). When
    /// their column ranges do not overlap, one concat (with zeros in any gap) replaces the pads and adds.
    /// </summary>
    private static List<Node> CombinePieces(GraphBuilder b, List<Node> parts)
    {
        if (parts.Count < 2) return parts;
        var pads = parts.Where(p => p.Op.Name == "pad_last").OrderBy(p => p.Attributes.I0).ToList();
        if (pads.Count < 2 || pads.Any(p => !p.Inputs[0].Shape.WithLast(1).Equals(pads[0].Inputs[0].Shape.WithLast(1)))) return parts;
        int width = pads[0].Attributes.I1;
        var pieces = new List<Node>();
        int column = 0;
        foreach (var pad in pads)
        {
            int start = pad.Attributes.I0;
            if (start < column) return parts; // overlapping ranges: keep the adds
            if (start > column) pieces.Add(b.Zeros(pad.Shape.WithLast(start - column)));
            pieces.Add(pad.Inputs[0]);
            column = start + pad.Inputs[0].Shape.Last;
        }
        if (column < width) pieces.Add(b.Zeros(pads[0].Shape.WithLast(width - column)));
        var combined = b.ConcatLast(pieces.ToArray());
        return parts.Where(p => p.Op.Name != "pad_last").Prepend(combined).ToList();
    }

    private static HashSet<Node> ReachableFrom(IEnumerable<Node> leaves, IReadOnlyList<Node> nodes)
    {
        var set = new HashSet<Node>(leaves);
        foreach (var n in nodes)
        {
            if (set.Contains(n)) continue;
            foreach (var input in n.InputSpan)
            {
                if (!set.Contains(input)) continue;
                set.Add(n);
                break;
            }
        }
        return set;
    }
}
