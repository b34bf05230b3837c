using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Printing;

/// <summary>A lane of a step: one (layer scope, stack index, direction) of the forward or of the backward pass.</summary>
internal readonly record struct DotLane(string? Scope, int Layer, int Direction, bool Backward, bool Inputs)
{
    public string Label
    {
        get
        {
            var parts = new List<string>();
            if (Inputs) parts.Add("inputs");
            else if (Scope is null) parts.Add("other");
            else parts.Add(Scope);
            if (Layer >= 0) parts.Add("l" + Layer);
            if (Direction >= 0) parts.Add(Direction == 0 ? "fwd" : "rev");
            if (Backward) parts.Add("(backward)");
            return string.Join(" ", parts);
        }
    }
}

/// <summary>
/// Where each node of a graph is drawn: shared leaves (params, constants) apart, step nodes in their step's
/// lane, the rest (gradient sums over all steps) in one cluster; which nodes are backward; which steps collapse.
/// </summary>
internal sealed class DotLayout
{
    private DotLayout(Graph graph, DotOptions options)
    {
        Graph = graph;
        for (int i = 0; i < graph.Nodes.Count; i++) Numbers[graph.Nodes[i]] = i;
        Backward = BackwardNodes(graph);

        int steps = graph.Info.Steps;
        int ends = Math.Max(1, options.EndSteps);
        if (options.CollapseAbove is { } above && steps > above && steps > 2 * ends)
        {
            HiddenFrom = ends;
            HiddenTo = steps - ends - 1;
        }

        foreach (var node in graph.Nodes)
        {
            if (IsShared(node) || node.Origin.Step < 0) continue;
            var lane = LaneOf(node);
            if (!Lanes.Contains(lane)) Lanes.Add(lane);
            if (IsHidden(node))
            {
                if (!HiddenLanes.Contains(lane)) HiddenLanes.Add(lane);
                HiddenCount[lane] = HiddenCount.GetValueOrDefault(lane) + 1;
            }
        }
        VisibleSteps = graph.Nodes.Where(n => !IsShared(n) && n.Origin.Step >= 0 && !IsHidden(n))
                                  .Select(n => n.Origin.Step).Distinct().Order().ToList();
    }

    public static DotLayout Create(Graph graph, DotOptions options) => new(graph, options);

    public Graph Graph { get; }
    public Dictionary<Node, int> Numbers { get; } = new();

    /// <summary>Nodes only the gradients need: not an ancestor of any forward output (every output but <c>grad.*</c>).</summary>
    public HashSet<Node> Backward { get; }

    /// <summary>The lanes in order of their first node.</summary>
    public List<DotLane> Lanes { get; } = new();
    public List<DotLane> HiddenLanes { get; } = new();
    public Dictionary<DotLane, int> HiddenCount { get; } = new();
    public List<int> VisibleSteps { get; }

    /// <summary>First and last collapsed step; <see cref="HiddenFrom"/> is -1 when nothing collapses.</summary>
    public int HiddenFrom { get; } = -1;
    public int HiddenTo { get; } = -1;
    public bool Collapsed => HiddenFrom >= 0;

    /// <summary>Params and constants: one node shared by every step, drawn apart with light edges.</summary>
    public static bool IsShared(Node node) => node.Op.Name is "param" or "const" or "zeros";

    public bool IsHidden(Node node) =>
        Collapsed && !IsShared(node) && node.Origin.Step >= HiddenFrom && node.Origin.Step <= HiddenTo;

    public DotLane LaneOf(Node node) =>
        new(node.Origin.Scope, node.Origin.Layer, node.Origin.Direction, Backward.Contains(node),
            node.Origin.Scope is null && node.Op.Name == "input");

    /// <summary>The step a node is drawn in: its own, <c>int.MaxValue</c> for the collapsed middle, -1 for none.</summary>
    public int DrawnStep(Node node) => IsShared(node) || node.Origin.Step < 0 ? -1 : IsHidden(node) ? int.MaxValue : node.Origin.Step;

    /// <summary>The DOT id a node is drawn as: its own, or its lane's ellipsis when its step collapsed.</summary>
    public string DotId(Node node) => IsHidden(node) ? EllipsisId(LaneOf(node)) : "n" + Numbers[node];

    public string EllipsisId(DotLane lane) => "mid" + Lanes.IndexOf(lane);

    private static HashSet<Node> BackwardNodes(Graph graph)
    {
        var forward = new HashSet<Node>();
        var stack = new Stack<Node>(graph.Outputs.Where(o => !o.Name.StartsWith("grad.", StringComparison.Ordinal)).Select(o => o.Node));
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!forward.Add(n)) continue;
            foreach (var i in n.Inputs) stack.Push(i);
        }
        return graph.Nodes.Where(n => !forward.Contains(n)).ToHashSet();
    }
}
