using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Passes;

/// <summary>
/// Turns the T small per-step products that do not depend on each other into one product over the
/// steps' rows stacked (<c>[T·B, n]</c>, see <see cref="Shape.BatchMultiple"/>):
/// <list type="bullet">
/// <item>matmuls sharing their right operand (the input projections <c>x_t Wᵀ</c>, a dense head at every
/// step, the input gradients <c>dG_t W</c>) become <c>concat_rows</c> of the left operands, one matmul, and a
/// <c>slice_rows</c> per step, when no left operand depends on another member's result;</item>
/// <item>a sum of weight-gradient matmuls <c>Σ_t dG_tᵀ X_t</c> becomes one matmul of the stacked <c>dG</c>
/// and <c>X</c>: <c>[T·B, G]ᵀ [T·B, I]</c>.</item>
/// </list>
/// The values are the same sums of the same products; only the order of the float additions changes.
/// </summary>
public sealed class TimeBatchingPass : IGraphPass
{
    public string Name => "time-batching";

    public Graph Run(Graph graph)
    {
        // Batching a group adds dependencies (every step's slice waits for all steps' left operands). Groups
        // judged one by one can, together, form a cycle; then batch one group at a time and judge the rest again.
        // (Batching a sum adds none: the sum already waited for every term.)
        if (Rewrite(graph, FindGroups(graph), sums: true) is { } all) return all.WithStage(Name);
        graph = Rewrite(graph, [], sums: true)!;
        while (FindGroups(graph).FirstOrDefault() is { } group) graph = Rewrite(graph, [group], sums: false)!;
        return graph.WithStage(Name);
    }

    // ---- Σ_t matmul(A_t, X_t, transA) → matmul(concat_rows(A), concat_rows(X), transA) ----

    private static bool IsSameShapeAdd(Node n) =>
        n.Op.Name == "add" && n.Inputs[0].Shape.Equals(n.Shape) && n.Inputs[1].Shape.Equals(n.Shape);

    // An add is folded into the add that uses it when that add is its only user; the outermost is the root.
    private static bool IsInterior(Node n, Dictionary<Node, List<Node?>> users) =>
        IsSameShapeAdd(n) && users.TryGetValue(n, out var u) && u.Count == 1 && u[0] is { } user && IsSameShapeAdd(user);

    private static bool IsSumRoot(Node n, Dictionary<Node, List<Node?>> users) => IsSameShapeAdd(n) && !IsInterior(n, users);

    private static bool IsGradientTerm(Node n) =>
        n.Op.Name == "matmul" && n.Attributes.I0 == 1 && n.Attributes.I1 == 0;

    private static Node? BatchedSum(GraphBuilder builder, Node root, Dictionary<Node, List<Node?>> users, Dictionary<Node, Node> map)
    {
        var terms = new List<Node>();
        var stack = new Stack<Node>([root]);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (n == root || IsInterior(n, users)) { stack.Push(n.Inputs[1]); stack.Push(n.Inputs[0]); }
            else terms.Add(n);
        }
        var groups = terms.Where(IsGradientTerm)
            .GroupBy(t => (A: t.Inputs[0].Shape, X: t.Inputs[1].Shape))
            .Where(g => g.Count() >= 2).ToList();
        if (groups.Count == 0) return null;

        var batched = new HashSet<Node>(groups.SelectMany(g => g));
        var parts = new List<Node>();
        foreach (var group in groups)
        {
            var ordered = InStepOrder(group);
            var a = builder.ConcatRows(ordered.Select(t => map[t.Inputs[0]]).ToArray());
            var x = builder.ConcatRows(ordered.Select(t => map[t.Inputs[1]]).ToArray());
            builder.CurrentOrigin = Unstepped(root.Origin);
            parts.Add(builder.MatMul(a, x, transA: true, transB: false));
            builder.CurrentOrigin = root.Origin;
        }
        parts.AddRange(terms.Where(t => !batched.Contains(t)).Select(t => map[t]));
        var sum = parts[0];
        for (int i = 1; i < parts.Count; i++) sum = builder.Add(sum, parts[i]);
        return sum;
    }

    // ---- matmul(L_t, W) for t = 0..T-1 → slice_rows(matmul(concat_rows(L), W), t) ----

    private sealed record Group(Node Right, IReadOnlyList<Node> Members);

    /// <summary>The groups (in graph order) of at least two matmuls that can each share one product.</summary>
    private static List<Group> FindGroups(Graph graph)
    {
        var position = new Dictionary<Node, int>(graph.Nodes.Count);
        for (int i = 0; i < graph.Nodes.Count; i++) position[graph.Nodes[i]] = i;
        // Each node's inputs by position, looked up once for all the sweeps below.
        var inputPositions = InputPositions(graph, position);
        var groups = new List<Group>();
        var candidates = graph.Nodes
            .Where(n => n.Op.Name == "matmul" && n.Attributes.I0 == 0)
            .GroupBy(n => (Right: n.Inputs[1], TransB: n.Attributes.I1, Left: n.Inputs[0].Shape))
            .Where(g => g.Count() >= 2);
        foreach (var candidate in candidates)
        {
            var members = IndependentMembers(inputPositions, position, candidate.ToList());
            if (members.Count >= 2) groups.Add(new Group(candidate.Key.Right, InStepOrder(members)));
        }
        return groups;
    }

    /// <summary>
    /// Drops members whose left operand depends on another member's result until none does; what is left can
    /// be computed as one product (its stacked left operand needs none of the results).
    /// </summary>
    private static List<Node> IndependentMembers(int[][] inputPositions, Dictionary<Node, int> position, List<Node> members)
    {
        var dependent = new bool[inputPositions.Length];
        while (members.Count >= 2)
        {
            Array.Clear(dependent);
            foreach (var m in members) dependent[position[m]] = true;
            // Nodes come after their inputs, so one sweep from the first member marks everything downstream.
            for (int i = members.Min(m => position[m]); i < dependent.Length; i++)
            {
                if (dependent[i]) continue;
                foreach (int input in inputPositions[i])
                    if (dependent[input]) { dependent[i] = true; break; }
            }
            var kept = members.Where(m => !dependent[position[m.Inputs[0]]]).ToList();
            if (kept.Count == members.Count) return members;
            members = kept;
        }
        return members;
    }

    /// <summary>
    /// One rebuild that batches every group and, with <paramref name="sums"/>, every sum of weight-gradient
    /// products; null when the groups together would make the graph cyclic.
    /// </summary>
    private static Graph? Rewrite(Graph graph, IReadOnlyList<Group> groups, bool sums)
    {
        var users = sums ? CountUsers(graph) : null;
        var member = new Dictionary<Node, (int Group, int Step)>();
        for (int g = 0; g < groups.Count; g++)
            for (int t = 0; t < groups[g].Members.Count; t++) member[groups[g].Members[t]] = (g, t);

        // Each group's product is a node of its own in the order: it needs every left operand and the right
        // one, and each member (now a slice of it) needs only the product.
        int n = graph.Nodes.Count;
        var position = new Dictionary<Node, int>(n);
        for (int i = 0; i < n; i++) position[graph.Nodes[i]] = i;
        var inputPositions = groups.Count == 0 ? null : InputPositions(graph, position);
        var order = groups.Count == 0 ? Enumerable.Range(0, n).ToList() : Reorder(n + groups.Count,
            i => i >= n
                ? groups[i - n].Members.Select(m => position[m.Inputs[0]]).Append(position[groups[i - n].Right])
                : member.TryGetValue(graph.Nodes[i], out var at) ? [n + at.Group] : inputPositions![i],
            i => i >= n ? 2L * groups[i - n].Members.Min(m => position[m]) : 2L * i + 1);
        if (order is null) return null;

        var builder = new GraphBuilder(simplify: false, n);
        var map = new Dictionary<Node, Node>(n);
        var products = new Node[groups.Count];
        foreach (int i in order)
        {
            if (i >= n)
            {
                var group = groups[i - n];
                // Drawn and described at the step of the member that comes first in the old order.
                var first = group.Members.MinBy(m => position[m])!;
                builder.CurrentOrigin = first.Origin;
                var stacked = builder.ConcatRows(group.Members.Select(m => map[m.Inputs[0]]).ToArray());
                products[i - n] = builder.MatMul(stacked, map[group.Right], transA: false, transB: first.Attributes.I1 == 1);
                continue;
            }
            var node = graph.Nodes[i];
            builder.CurrentOrigin = node.Origin;
            if (member.TryGetValue(node, out var m))
            {
                int rows = node.Inputs[0].Shape[0];
                map[node] = builder.SliceRows(products[m.Group], m.Step * rows, rows);
                continue;
            }
            if (users is not null && IsSumRoot(node, users) && BatchedSum(builder, node, users, map) is { } sum)
            {
                map[node] = sum;
                continue;
            }
            var inputs = new Node[node.Inputs.Count];
            for (int k = 0; k < inputs.Length; k++) inputs[k] = map[node.Inputs[k]];
            map[node] = builder.Apply(node.Op, node.Attributes, inputs);
        }
        builder.CurrentOrigin = NodeOrigin.None;
        return Graph.FromOutputs(graph.Stage, graph.Outputs.Select(o => o with { Node = map[o.Node] }).ToList(), graph.Info);
    }

    /// <summary>A topological order of <paramref name="count"/> items that takes the ready item of lowest priority first; null on a cycle.</summary>
    private static List<int>? Reorder(int count, Func<int, IEnumerable<int>> dependencies, Func<int, long> priority)
    {
        var waiting = new int[count];
        var dependents = new List<int>?[count];
        var ready = new PriorityQueue<int, long>();
        // Each distinct dependency counts once: lastUser[d] == i + 1 once i has counted d.
        var lastUser = new int[count];
        for (int i = 0; i < count; i++)
        {
            foreach (int d in dependencies(i))
            {
                if (lastUser[d] == i + 1) continue;
                lastUser[d] = i + 1;
                (dependents[d] ??= []).Add(i);
                waiting[i]++;
            }
        }
        for (int i = 0; i < count; i++) if (waiting[i] == 0) ready.Enqueue(i, priority(i));
        var order = new List<int>(count);
        while (ready.TryDequeue(out int i, out _))
        {
            order.Add(i);
            foreach (int k in dependents[i] ?? []) if (--waiting[k] == 0) ready.Enqueue(k, priority(k));
        }
        return order.Count == count ? order : null;
    }

    // ---- helpers ----

    /// <summary>Each node's users; a graph output counts as a user no node can fold it into (null).</summary>
    private static Dictionary<Node, List<Node?>> CountUsers(Graph graph)
    {
        var users = new Dictionary<Node, List<Node?>>(graph.Nodes.Count);
        void Add(Node used, Node? user) => (users.TryGetValue(used, out var list) ? list : users[used] = []).Add(user);
        foreach (var node in graph.Nodes)
        {
            var inputs = node.InputSpan;
            for (int k = 0; k < inputs.Length; k++)
                if (!SeenBefore(inputs, k)) Add(inputs[k], node);
        }
        foreach (var output in graph.Outputs) Add(output.Node, null);
        return users;
    }

    /// <summary>The positions of each node's inputs, node by node.</summary>
    private static int[][] InputPositions(Graph graph, Dictionary<Node, int> position)
    {
        var positions = new int[graph.Nodes.Count][];
        for (int i = 0; i < positions.Length; i++)
        {
            var inputs = graph.Nodes[i].InputSpan;
            var at = positions[i] = new int[inputs.Length];
            for (int k = 0; k < at.Length; k++) at[k] = position[inputs[k]];
        }
        return positions;
    }

    /// <summary>Whether <c>inputs[k]</c> occurs earlier in <paramref name="inputs"/> (a node used twice counts once).</summary>
    private static bool SeenBefore(ReadOnlySpan<Node> inputs, int k)
    {
        for (int j = 0; j < k; j++)
            if (ReferenceEquals(inputs[j], inputs[k])) return true;
        return false;
    }

    /// <summary>Steps in time order (then creation order), so the stacked rows of the same steps are one node.</summary>
    private static List<Node> InStepOrder(IEnumerable<Node> nodes) =>
        nodes.OrderBy(n => n.Origin.Step).ThenBy(n => n.Id).ToList();

    /// <summary>A batched node belongs to the layer and direction of its steps, not to one step.</summary>
    private static NodeOrigin Unstepped(NodeOrigin origin) => origin with { Step = -1 };
}
