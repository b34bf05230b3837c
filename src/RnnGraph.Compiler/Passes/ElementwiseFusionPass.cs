using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Passes;

/// <summary>
/// Merges chains of elementwise ops into <c>fused</c> nodes (<see cref="FusedProgram"/>), which the runtime computes in
/// cache-sized pieces: a value read only inside its group is never written to memory, and an operand that is a slice of
/// a wider tensor (one gate of the stacked gates, one step's rows of the time-batched input projection) is read in
/// place instead of copied out first.
/// </summary>
/// <remarks>
/// A group has one result, its root; every other member has the root's shape, is not a graph output, and is read only
/// by members of the same group, so the group is convex and its intermediates are needed nowhere else. Operands from
/// outside the group have the group's shape, are scalars, or are one row broadcast over the rows (a bias). Groups are
/// grown from the end of the graph backwards, so each node joins the group of its consumers when it can. A group of
/// one node is left as it is unless it reads a slice in place.
/// </remarks>
public sealed class ElementwiseFusionPass : IGraphPass
{
    public string Name => "elementwise-fusion";

    public Graph Run(Graph graph)
    {
        var nodes = graph.Nodes;
        int count = nodes.Count;
        var index = new Dictionary<Node, int>(count);
        for (int i = 0; i < count; i++) index[nodes[i]] = i;
        var isOutput = new bool[count];
        foreach (var output in graph.Outputs) isOutput[index[output.Node]] = true;

        // Each fusible node's group, named by its root's position (-1: not fused). Walking backwards, every consumer of
        // a node is placed before the node itself, so usersRoot[i] already says whether they all sit in one group.
        const int NoUsers = -2, Mixed = -3;
        var root = new int[count];
        var usersRoot = new int[count];
        Array.Fill(usersRoot, NoUsers);
        for (int i = count - 1; i >= 0; i--)
        {
            var node = nodes[i];
            int r = -1;
            if (IsFusible(node))
            {
                int users = usersRoot[i];
                r = !isOutput[i] && users >= 0 && nodes[users].Shape.Equals(node.Shape) ? users : i;
            }
            root[i] = r;
            foreach (var input in node.Inputs)
            {
                int j = index[input];
                usersRoot[j] = r >= 0 && (usersRoot[j] == NoUsers || usersRoot[j] == r) ? r : Mixed;
            }
        }
        var members = new Dictionary<int, List<Node>>();
        for (int i = 0; i < count; i++)
            if (root[i] >= 0)
            {
                if (!members.TryGetValue(root[i], out var list)) members[root[i]] = list = [];
                list.Add(nodes[i]);
            }

        var builder = new GraphBuilder(simplify: false);
        var map = new Node[count];
        Node Mapped(Node n) => map[index[n]];
        for (int i = 0; i < count; i++)
        {
            var node = nodes[i];
            builder.CurrentOrigin = node.Origin;
            if (root[i] >= 0)
            {
                // Members other than the root are computed inside the root's fused node.
                if (root[i] != i) continue;
                if (Fuse(members[i], Mapped, builder) is { } fused)
                {
                    map[i] = fused;
                    continue;
                }
            }
            var inputs = new Node[node.Inputs.Count];
            for (int k = 0; k < inputs.Length; k++) inputs[k] = Mapped(node.Inputs[k]);
            map[i] = builder.Apply(node.Op, node.Attributes, inputs);
        }
        builder.CurrentOrigin = NodeOrigin.None;
        return Graph.FromOutputs(Name, graph.Outputs.Select(o => o with { Node = Mapped(o.Node) }).ToList(), graph.Info);
    }

    /// <summary>The fused node for a group (members in graph order, the root last); null when fusing gains nothing.</summary>
    private static Node? Fuse(List<Node> group, Func<Node, Node> map, GraphBuilder builder)
    {
        var root = group[^1];
        var shape = root.Shape;
        var stepOf = new Dictionary<Node, int>(group.Count);
        var sources = new List<Node>();
        var args = new List<FusedArg>();
        var steps = new List<FusedStep>(group.Count);
        bool views = false;
        foreach (var member in group)
        {
            var operands = new int[member.Inputs.Count];
            for (int j = 0; j < operands.Length; j++)
            {
                var input = member.Inputs[j];
                if (stepOf.TryGetValue(input, out int step))
                {
                    operands[j] = ~step;
                    continue;
                }
                var (source, view, start, length) = ViewOf(input, shape);
                views |= view != FusedView.Whole;
                int sourceIndex = sources.IndexOf(source);
                if (sourceIndex < 0)
                {
                    sourceIndex = sources.Count;
                    sources.Add(source);
                }
                var arg = new FusedArg(sourceIndex, view, start, length);
                int argIndex = args.IndexOf(arg);
                if (argIndex < 0)
                {
                    argIndex = args.Count;
                    args.Add(arg);
                }
                operands[j] = argIndex;
            }
            stepOf[member] = steps.Count;
            steps.Add(new FusedStep(member.Op.Name, operands));
        }
        if (group.Count == 1 && !views) return null;
        var program = new FusedProgram(args, steps);
        builder.CurrentOrigin = root.Origin;
        return builder.Apply("fused", new OpAttributes(Name: program.ToString(), Shape: shape), sources.Select(map).ToArray());
    }

    /// <summary>An operand from outside the group: a slice of the group's shape is read in place from what it slices.</summary>
    private static (Node Source, FusedView View, int Start, int Length) ViewOf(Node operand, Shape shape)
    {
        if (operand.Shape.Equals(shape))
        {
            if (operand.Op.Name == "slice_last") return (operand.Inputs[0], FusedView.Columns, operand.Attributes.I0, operand.Attributes.I1);
            if (operand.Op.Name == "slice_rows") return (operand.Inputs[0], FusedView.Rows, operand.Attributes.I0, operand.Attributes.I1);
        }
        return (operand, FusedView.Whole, 0, 0);
    }

    /// <summary>An elementwise op whose operands the fused kernel can read: the node's own shape, a scalar, or a broadcast row.</summary>
    private static bool IsFusible(Node node) =>
        FusedProgram.Ops.Contains(node.Op.Name) && node.Inputs.All(i => Reads(i.Shape, node.Shape));

    internal static bool Reads(Shape operand, Shape shape)
    {
        if (operand.Equals(shape)) return true;
        var dims = operand.Dims;
        for (int d = 0; d < dims.Length - 1; d++)
            if (dims[d] != 1) return false;
        if (dims.Length == 0 || dims[^1] == 1) return true; // a scalar
        return shape.Rank >= 1 && !Shape.IsSymbolic(shape.Last) && dims[^1] == shape.Last && dims.Length <= shape.Rank;
    }
}
