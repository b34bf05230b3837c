namespace RnnGraph.Compiler.IR;

/// <summary>A named graph output, e.g. <c>y[3]</c>, <c>h_n[0]</c> or <c>grad.rnn.weight_ih_l0</c> (Index -1: whole tensor).</summary>
public sealed record GraphOutput(string Name, int Index, Node Node)
{
    public string Key => Index >= 0 ? $"{Name}[{Index}]" : Name;
}

/// <summary>
/// A compiled graph at one stage: its nodes in topological order (every input before its users)
/// and its named outputs. Leaves (inputs, params, constants) are ordinary nodes.
/// </summary>
public sealed class Graph
{
    public Graph(string stage, IReadOnlyList<Node> nodes, IReadOnlyList<GraphOutput> outputs, GraphInfo info)
    {
        Stage = stage;
        Nodes = nodes;
        Outputs = outputs;
        Info = info;
    }

    /// <summary>Name of the stage that produced it: unrolled, backward, optimized...</summary>
    public string Stage { get; }
    public IReadOnlyList<Node> Nodes { get; }
    public IReadOnlyList<GraphOutput> Outputs { get; }
    public GraphInfo Info { get; }

    public IEnumerable<Node> Inputs => Nodes.Where(n => n.Op.Name == "input");
    public IEnumerable<Node> Params => Nodes.Where(n => n.Op.Name == "param");

    /// <summary>Builds a graph from output nodes, collecting every node they reach in id order.</summary>
    public static Graph FromOutputs(string stage, IReadOnlyList<GraphOutput> outputs, GraphInfo info)
    {
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>(outputs.Select(o => o.Node));
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            foreach (var i in n.Inputs) stack.Push(i);
        }
        var nodes = seen.OrderBy(n => n.Id).ToList();
        return new Graph(stage, nodes, outputs, info);
    }

    public Graph WithStage(string stage) => new(stage, Nodes, Outputs, Info);
}

/// <summary>Facts about the model a graph was compiled from, printed in the dump header and used by the runtime.</summary>
public sealed record GraphInfo(int Steps, bool BatchFirst, IReadOnlyList<string> LayerNames);
