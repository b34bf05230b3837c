using System.Numerics;
using RnnGraph.Compiler.IR;
using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Runtime.Execution;

/// <summary>
/// Runs a graph for one batch size. Planning (buffers, kernels, resolved shapes) happens once in
/// the constructor; <see cref="Run"/> then calls one kernel per node and allocates nothing. Intermediate
/// nodes share arrays where their lifetimes allow (<see cref="BufferPlan"/>), so only leaves and graph
/// outputs can be read after a run.
/// </summary>
public sealed partial class Executor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _buffers;
    private readonly Instruction<T>[] _program;
    private readonly Dictionary<Node, int> _slots = new();
    private readonly Dictionary<string, Node> _params = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), Node> _inputs = new();
    private readonly HashSet<Node> _unset = new();
    private readonly PackedOperand[] _packed;
    private readonly Dictionary<(string, int), GraphOutput> _outputs = new();

    /// <param name="planMemory">Share arrays between intermediates whose lifetimes do not overlap; off gives every node its own.</param>
    public Executor(Graph graph, int batch, bool planMemory = true)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "batch size must be at least 1");
        Graph = graph;
        Batch = batch;
        _buffers = BufferPlan.Allocate<T>(graph, batch, planMemory, out long plannedBytes);
        PlannedBytes = plannedBytes;
        UnplannedBytes = BufferPlan.UnsharedBytes<T>(graph, batch);
        var program = new List<Instruction<T>>();
        _slots.EnsureCapacity(graph.Nodes.Count);
        // Each node's shape resolved once; its users' instructions share the array (kernels only read shapes).
        var resolved = new int[graph.Nodes.Count][];
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            _slots[node] = i;
            resolved[i] = node.Shape.Resolve(batch);
            switch (node.Op.Name)
            {
                case "param": _params[node.Attributes.Name!] = node; _unset.Add(node); break;
                case "input": _inputs[(node.Attributes.Name!, node.Attributes.Index)] = node; _unset.Add(node); break;
                case "const": _buffers[i][0] = T.CreateChecked(node.Attributes.Scalar); break;
                case "zeros": break;
                default:
                    if (!KernelTable<T>.TryGet(node.Op.Name, out var kernel))
                        throw new InvalidOperationException($"op '{node.Op.Name}' has no kernel");
                    var inputs = new int[node.Inputs.Count];
                    var inputShapes = new int[inputs.Length][];
                    for (int k = 0; k < inputs.Length; k++)
                    {
                        inputs[k] = _slots[node.Inputs[k]];
                        inputShapes[k] = resolved[inputs[k]];
                    }
                    program.Add(new Instruction<T>(node, kernel, inputs, i, inputShapes, resolved[i]));
                    break;
            }
        }
        _program = program.ToArray();
        _packed = PlanPackedWeights(_program, graph);
        foreach (var output in graph.Outputs) _outputs.TryAdd((output.Name, output.Index), output);
    }

    public Graph Graph { get; }

    /// <summary>The weights this executor packs once per run (see <see cref="PackedOperand"/>).</summary>
    public IReadOnlyList<PackedOperand> PackedWeights => _packed;
    public int Batch { get; }

    /// <summary>Bytes of the arrays this executor holds for node values.</summary>
    public long PlannedBytes { get; }

    /// <summary>Bytes one array per node would take: what <see cref="PlannedBytes"/> is without memory planning.</summary>
    public long UnplannedBytes { get; }

    public IEnumerable<Node> ParamNodes => _params.Values;
    public IEnumerable<Node> InputNodes => _inputs.Values;

    public bool HasParam(string name) => _params.ContainsKey(name);
    public bool HasInput(string name, int index) => _inputs.ContainsKey((name, index));

    public void SetParam(string name, ReadOnlySpan<T> values) => Fill(_params[name], values);

    public void SetInput(string name, int index, ReadOnlySpan<T> values) => Fill(_inputs[(name, index)], values);

    /// <summary>Direct access to a leaf's buffer, e.g. for finite differences that nudge one weight.</summary>
    public Span<T> ParamBuffer(string name) => _buffers[_slots[_params[name]]];

    private void Fill(Node node, ReadOnlySpan<T> values)
    {
        var buffer = _buffers[_slots[node]];
        if (values.Length != buffer.Length)
            throw new RuntimeDataException($"{Describe(node)} needs {buffer.Length} values ({node.Shape} with B={Batch}) but got {values.Length}");
        values.CopyTo(buffer);
        _unset.Remove(node);
    }

    public void Run()
    {
        if (_unset.Count > 0)
            throw new RuntimeDataException("no value was given for " + string.Join(", ", _unset.Take(5).Select(Describe)));
        Instruction<T>? current = null;
        if (_packed.Length > 0)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            var floats = (float[][])(object)_buffers;
            foreach (var operand in _packed) operand.Pack(floats[operand.Slot]);
            if (_profile is not null) _packTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
        }
        try
        {
            if (_profile is not null)
            {
                RunProfiled(ref current);
                return;
            }
            foreach (var instruction in _program)
            {
                current = instruction;
                instruction.Kernel(instruction, _buffers);
            }
        }
        catch (RuntimeDataException e) when (current is not null)
        {
            throw new RuntimeDataException($"{e.Message} (in {current.Node.Origin.Describe()})");
        }
    }

    /// <summary>
    /// Weights read as the right operand of two or more packed float32 products in the same transpose (the recurrent
    /// weights, once per step): packed once at the start of each run and shared by those products.
    /// </summary>
    private static PackedOperand[] PlanPackedWeights(Instruction<T>[] program, Graph graph)
    {
        if (typeof(T) != typeof(float) || !PackedGemm.IsSupported) return [];
        var groups = new Dictionary<(int Slot, bool Transposed), List<Instruction<T>>>();
        foreach (var ins in program)
        {
            if (ins.Node.Op.Name != "matmul" || graph.Nodes[ins.Inputs[1]].Op.Name != "param") continue;
            bool ta = ins.Node.Attributes.I0 == 1, tb = ins.Node.Attributes.I1 == 1;
            int m = ins.OutputShape[0], n = ins.OutputShape[1], k = ta ? ins.InputShapes[0][0] : ins.InputShapes[0][1];
            if (!MatMulKernel<float>.UsePacked(m, n, k, ta, tb)) continue;
            var key = (ins.Inputs[1], tb);
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            list.Add(ins);
        }
        var packed = new List<PackedOperand>();
        foreach (var ((slot, transposed), users) in groups)
        {
            if (users.Count < 2) continue;
            var first = users[0];
            int n = first.OutputShape[1], k = first.Node.Attributes.I0 == 1 ? first.InputShapes[0][0] : first.InputShapes[0][1];
            var operand = new PackedOperand(slot, n, k, transposed);
            foreach (var ins in users) ins.PackedB = operand;
            packed.Add(operand);
        }
        return packed.ToArray();
    }

    public ReadOnlySpan<T> Output(GraphOutput output) => _buffers[_slots[output.Node]];

    public ReadOnlySpan<T> Output(string name, int index = -1) =>
        _outputs.TryGetValue((name, index), out var output) ? Output(output)
            : throw new KeyNotFoundException($"the graph has no output {name}[{index}]");

    private static string Describe(Node node) => node.Op.Name == "param"
        ? $"parameter '{node.Attributes.Name}'"
        : $"input '{node.Attributes.Name}{(node.Attributes.Index >= 0 ? $"[{node.Attributes.Index}]" : "")}'";
}
