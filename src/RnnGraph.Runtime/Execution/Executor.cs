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
public sealed partial class Executor<T> : ILaneJob where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _buffers;
    private readonly Instruction<T>[] _program;

    /// <summary>The order a one-thread run takes: program order, or the lane schedule's order when buffers were planned for it.</summary>
    private readonly int[] _sequence;
    private readonly Dictionary<Node, int> _slots = new();
    private readonly Dictionary<string, Node> _params = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), Node> _inputs = new();
    private readonly HashSet<Node> _unset = new();
    private readonly PackedOperand[] _packed;
    private readonly Dictionary<(string, int), GraphOutput> _outputs = new();

    /// <param name="planMemory">Share arrays between intermediates whose lifetimes do not overlap; off gives every node its own.</param>
    /// <param name="threads">
    /// Threads a run may use: 2 or more runs the program on two lanes (<see cref="LaneSchedule"/>) when the graph has
    /// enough independent work for it (<see cref="MinPredictedSpeedup"/>), else on the caller's thread; results are
    /// bit-identical either way.
    /// </param>
    public Executor(Graph graph, int batch, bool planMemory = true, int threads = 1)
        : this(graph, batch, planMemory, threads, MinPredictedSpeedup, measure: true)
    {
    }

    /// <param name="minPredictedSpeedup">Two lanes are planned only when the cost model predicts at least this speedup (tests force them with 0).</param>
    /// <param name="measure">Time one lane against two over the first runs and keep the faster (<see cref="LanesInUse"/>); off, every run uses two lanes.</param>
    internal Executor(Graph graph, int batch, bool planMemory, int threads, double minPredictedSpeedup, bool measure)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), "batch size must be at least 1");
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Graph = graph;
        Batch = batch;
        var program = new List<Instruction<T>>();
        var constants = new List<int>();
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
                case "const": constants.Add(i); break;
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
        if (threads >= 2 && _program.Length >= 2)
        {
            var schedule = LaneSchedule.Build(_program, Producers(_program, graph.Nodes.Count), batch);
            PredictedSpeedup = schedule.PredictedSpeedup;
            if (schedule.PredictedSpeedup >= minPredictedSpeedup) _lanes = schedule;
        }
        long plannedBytes = 0;
        if (_lanes is not null && planMemory) CheckMemory(BufferPlan.PlannedBytes<T>(graph, batch, share: true), graph, batch);
        _buffers = _lanes is not null && planMemory
            ? BufferPlan.Allocate(graph, batch, _program, _lanes)
            : BufferPlan.Allocate<T>(graph, batch, planMemory, out plannedBytes, bytes => CheckMemory(bytes, graph, batch));
        foreach (int i in constants) _buffers[i][0] = T.CreateChecked(graph.Nodes[i].Attributes.Scalar);
        _sequence = _lanes?.Order ?? Enumerable.Range(0, _program.Length).ToArray();
        if (_lanes is not null)
        {
            _laneInstructions = [.. _lanes.Lanes.Select(lane => lane.Select(i => _program[i]).ToArray())];
            _failedAt = new Instruction<T>?[2];
            _laneErrors = new Exception?[2];
            _measure = measure;
            _trialTicks = new long[2 * TrialRuns];
        }
        PlannedBytes = _lanes is not null && planMemory ? BufferPlan.Bytes(_buffers) : plannedBytes;
        UnplannedBytes = BufferPlan.UnsharedBytes<T>(graph, batch);
        _packed = PlanPackedWeights(_program, graph);
        foreach (var output in graph.Outputs) _outputs.TryAdd((output.Name, output.Index), output);
    }

    /// <summary>
    /// The last guard before the buffers are allocated (callers that know more, such as the trainer, refuse earlier with
    /// a fuller <see cref="MemoryEstimate"/>): the node values alone must fit under <see cref="MemoryLimit.Current"/>.
    /// </summary>
    private static void CheckMemory(long bytes, Graph graph, int batch)
    {
        var limit = MemoryLimit.Current;
        if (bytes <= limit.Bytes) return;
        throw new MemoryLimitException($"this graph needs about {MemoryLimit.Format(bytes)} for the values of its " +
            $"{graph.Nodes.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} nodes at B={batch}, above the memory limit of " +
            $"{MemoryLimit.Format(limit.Bytes)} ({limit.Source}); lower the model's sizes, the batch or the sequence length, or {MemoryEstimate.RaiseLimit}");
    }

    /// <summary>
    /// The least speedup the cost model must predict for two lanes before a multi-threaded executor uses them: a lane
    /// costs synchronization, and on this project's machine the two hardware threads share one core's floating-point
    /// units, so a modest predicted gain does not survive (docs/performance.md, Threads).
    /// </summary>
    internal const double MinPredictedSpeedup = 1.3;

    /// <summary>The two-lane schedule runs follow, or null when they run on one thread.</summary>
    internal LaneSchedule? Schedule => _lanes;

    /// <summary>The array that holds node <paramref name="slot"/>'s value (tests check which nodes share one).</summary>
    internal T[] BufferOf(int slot) => _buffers[slot];

    /// <summary>Lanes the plan has: 2 when the executor was given threads and the graph has the parallel work, else 1.</summary>
    public int Lanes => _lanes is null ? 1 : 2;

    /// <summary>The cost model's speedup of two lanes over one (1 when the executor was given one thread).</summary>
    public double PredictedSpeedup { get; } = 1;

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
            if (_lanes is not null)
            {
                RunMeasured(ref current);
                return;
            }
            foreach (int i in _sequence)
            {
                current = _program[i];
                current.Kernel(current, _buffers);
            }
        }
        catch (RuntimeDataException e) when (current is not null)
        {
            throw new RuntimeDataException($"{e.Message} (in {current.Node.Origin.Describe()})");
        }
    }

    /// <summary>For each instruction, the instructions whose outputs it reads (leaves are no instruction).</summary>
    private static int[][] Producers(Instruction<T>[] program, int nodeCount)
    {
        var writer = new int[nodeCount];
        Array.Fill(writer, -1);
        for (int i = 0; i < program.Length; i++) writer[program[i].Output] = i;
        return [.. program.Select(ins => ins.Inputs.Select(slot => writer[slot]).Where(w => w >= 0).ToArray())];
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
