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
        if (FromOneBuilder(outputs) is { } found) return new Graph(stage, found, outputs, info);
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>(outputs.Count);
        foreach (var output in outputs) stack.Push(output.Node);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n)) continue;
            foreach (var i in n.Inputs) stack.Push(i);
        }
        var nodes = new Node[seen.Count];
        var ids = new int[nodes.Length];
        seen.CopyTo(nodes);
        for (int i = 0; i < nodes.Length; i++) ids[i] = nodes[i].Id;
        // Sorted by id; ties (nodes of different builders) keep the order they were found in, as a stable sort would.
        if (!IsStrictlyIncreasing(ids))
        {
            var order = new long[nodes.Length];
            for (int i = 0; i < order.Length; i++) order[i] = ((long)ids[i] << 32) | (uint)i;
            Array.Sort(order, nodes);
        }
        return new Graph(stage, nodes, outputs, info);
    }

    /// <summary>
    /// The nodes the outputs reach, in id order, when all of them come from one builder (the usual case): ids are then
    /// distinct and every input's id is below its user's, so a table indexed by id replaces the set and the sort.
    /// Null when some node comes from another builder.
    /// </summary>
    private static Node[]? FromOneBuilder(IReadOnlyList<GraphOutput> outputs)
    {
        if (outputs.Count == 0) return [];
        int builder = outputs[0].Node.Builder, maxId = 0;
        if (builder == Node.NoBuilder) return null;
        foreach (var output in outputs)
        {
            if (output.Node.Builder != builder) return null;
            maxId = Math.Max(maxId, output.Node.Id);
        }
        var byId = new Node?[maxId + 1];
        var stack = new Stack<Node>(outputs.Count);
        int count = 0;
        foreach (var output in outputs)
        {
            if (byId[output.Node.Id] is not null) continue;
            byId[output.Node.Id] = output.Node;
            count++;
            stack.Push(output.Node);
        }
        while (stack.Count > 0)
        {
            foreach (var input in stack.Pop().InputSpan)
            {
                if (input.Builder != builder || input.Id > maxId) return null;
                if (byId[input.Id] is { } known)
                {
                    if (!ReferenceEquals(known, input)) return null;
                    continue;
                }
                byId[input.Id] = input;
                count++;
                stack.Push(input);
            }
        }
        var nodes = new Node[count];
        int k = 0;
        foreach (var node in byId)
            if (node is not null) nodes[k++] = node;
        return nodes;
    }

    private static bool IsStrictlyIncreasing(int[] values)
    {
        for (int i = 1; i < values.Length; i++)
            if (values[i] <= values[i - 1]) return false;
        return true;
    }

    public Graph WithStage(string stage) => new(stage, Nodes, Outputs, Info);
}

/// <summary>Facts about the model a graph was compiled from, printed in the dump header and used by the runtime.</summary>
/// <param name="Steps">The unrolled steps: an encoder-decoder's decoder steps (its whole graph), or its source steps (its encoder and
/// decoder-step graphs).</param>
public sealed record GraphInfo(int Steps, bool BatchFirst, IReadOnlyList<string> LayerNames)
{
    /// <summary>An encoder-decoder's source steps (the encoder's unrolled length, the attention's span); null for other topologies.</summary>
    public int? SourceSteps { get; init; }

    /// <summary>An encoder-decoder's decoder steps in this graph: all of them, 1 for the decoding loop's step, null for the encoder alone.</summary>
    public int? DecoderSteps { get; init; }

    /// <summary>The dump header's steps: the count, or an encoder-decoder's source and decoder steps.</summary>
    public string DescribeSteps() => SourceSteps is not { } source
        ? Steps.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : DecoderSteps is { } decoder ? $"source {source}, decoder {decoder}" : $"source {source}, no decoder";
}
