using RnnGraph.Compiler.IR;

namespace RnnGraph.Runtime.Execution;

/// <summary>
/// A static schedule of a program on two lanes (threads): each lane runs its own list of instructions in order, and an
/// instruction that reads a value computed on the other lane first waits until that lane has finished so many
/// instructions (<see cref="Waits"/>). Built by list scheduling over a rough cost model: instructions in order of their
/// longest remaining path (critical path first); a recurrent layer's work to its direction's and layer's lane (see
/// <see cref="HomeLane"/>), anything else to the lane where it finishes first, a value crossing lanes paying a
/// synchronization cost. So the two directions of a bidirectional layer land on different lanes, and stacked layers
/// overlap where the graph lets them (layer l at step t beside layer l+1 at step t−1).
/// </summary>
internal sealed class LaneSchedule
{
    /// <summary>
    /// Cost-model units per instruction (dispatch, a kernel's fixed work). A unit is a matmul FLOP, about 10 ps at the
    /// packed GEMM's rate; an instruction's fixed cost is some 30 ns.
    /// </summary>
    private const double InstructionCost = 3_000;

    /// <summary>Units per element a data-movement or elementwise kernel reads or writes (memory-bound, unlike a matmul).</summary>
    private const double ElementCost = 20;

    /// <summary>
    /// Units a value pays to cross lanes (the wait on the other lane's progress, the value's cache lines moving), set high
    /// (some 1.5 µs) so lanes split along long independent chains, not inside a cell's step.
    /// </summary>
    private const double CrossLaneCost = 150_000;

    private LaneSchedule(int[][] lanes, int[][] waits, int[] order, int[] laneOf, int[] position, double sequentialCost, double makespan)
    {
        Lanes = lanes;
        Waits = waits;
        Order = order;
        LaneOf = laneOf;
        Position = position;
        SequentialCost = sequentialCost;
        Makespan = makespan;
    }

    /// <summary>Instruction indices (into the program) each lane runs, in order.</summary>
    public int[][] Lanes { get; }

    /// <summary>For lane l's p-th instruction: how many instructions of the other lane must be done before it starts (0: none).</summary>
    public int[][] Waits { get; }

    /// <summary>All instructions in one order that respects the data dependencies and both lanes' orders (for one thread).</summary>
    public int[] Order { get; }

    public int[] LaneOf { get; }

    /// <summary>Each instruction's index in its lane.</summary>
    public int[] Position { get; }

    /// <summary>The cost model's total for one lane (the sequential run) and its finish time for the two lanes.</summary>
    public double SequentialCost { get; }

    public double Makespan { get; }

    /// <summary>How much faster the cost model expects two lanes to be than one.</summary>
    public double PredictedSpeedup => Makespan > 0 ? SequentialCost / Makespan : 1;

    /// <summary>
    /// How many instructions of lane <c>l</c> are known to be done when the instruction at (lane, position) starts, for
    /// both lanes: its own lane's earlier instructions, and on the other lane the most any of its lane's waits up to it
    /// demanded. A value's array can be reused by an instruction only when every reader of the value is among these.
    /// </summary>
    public int KnownDone(int instruction, int lane)
    {
        int own = LaneOf[instruction];
        return lane == own ? Position[instruction] : _knownOther[instruction];
    }

    private int[] _knownOther = [];

    /// <param name="producers">For each instruction, the instructions whose outputs it reads (duplicates allowed).</param>
    public static LaneSchedule Build<T>(Instruction<T>[] program, int[][] producers, int batch) where T : unmanaged
    {
        int n = program.Length;
        var cost = new double[n];
        var consumers = new List<int>[n];
        for (int i = 0; i < n; i++)
        {
            cost[i] = Cost(program[i], batch);
            consumers[i] = [];
        }
        var pending = new int[n];
        for (int i = 0; i < n; i++)
            foreach (int d in producers[i].Distinct())
            {
                consumers[d].Add(i);
                pending[i]++;
            }
        // Longest path from each instruction to the end (program order is topological).
        var rank = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double tail = 0;
            foreach (int c in consumers[i]) tail = Math.Max(tail, rank[c]);
            rank[i] = cost[i] + tail;
        }

        var laneOf = new int[n];
        var position = new int[n];
        var finish = new double[n];
        var lanes = new[] { new List<int>(), new List<int>() };
        var laneFree = new double[2];
        var order = new List<int>(n);
        // Longest remaining path first (a topological order: a producer's path is longer than its consumers'), each
        // instruction appended to the lane where it finishes first.
        var ready = new PriorityQueue<int, (double, int)>();
        for (int i = 0; i < n; i++) if (pending[i] == 0) ready.Enqueue(i, (-rank[i], i));
        while (ready.TryDequeue(out int chosen, out _))
        {
            int lane = 0, home = HomeLane(program[chosen].Node.Origin);
            double bestStart = 0;
            for (int l = 0; l < 2; l++)
            {
                if (home >= 0 && l != home) continue;
                double start = laneFree[l];
                foreach (int d in producers[chosen]) start = Math.Max(start, finish[d] + (laneOf[d] != l ? CrossLaneCost : 0));
                if (l == home || l == 0 || start < bestStart)
                {
                    lane = l;
                    bestStart = start;
                }
            }
            laneOf[chosen] = lane;
            position[chosen] = lanes[lane].Count;
            lanes[lane].Add(chosen);
            order.Add(chosen);
            finish[chosen] = bestStart + cost[chosen];
            laneFree[lane] = finish[chosen];
            foreach (int c in consumers[chosen])
                if (--pending[c] == 0) ready.Enqueue(c, (-rank[c], c));
        }
        if (order.Count != n) throw new InvalidOperationException("the program's dependencies have a cycle");

        var waits = new int[2][];
        var knownOther = new int[n];
        for (int lane = 0; lane < 2; lane++)
        {
            var list = lanes[lane];
            waits[lane] = new int[list.Count];
            int known = 0;
            for (int p = 0; p < list.Count; p++)
            {
                int i = list[p], need = 0;
                foreach (int d in producers[i])
                    if (laneOf[d] != lane) need = Math.Max(need, position[d] + 1);
                // A wait the lane already passed costs nothing to skip.
                waits[lane][p] = need > known ? need : 0;
                known = Math.Max(known, need);
                knownOther[i] = known;
            }
        }
        return new LaneSchedule([.. lanes.Select(l => l.ToArray())], waits, order.ToArray(), laneOf, position, cost.Sum(), laneFree.Max())
        {
            _knownOther = knownOther,
        };
    }

    /// <summary>
    /// The lane of a recurrent layer's work, forward and backward: alternating by layer and direction (layer 0 forward on
    /// lane 0 beside its reverse direction on lane 1; layer 1 forward on lane 1 beside layer 0's forward), so each
    /// recurrence stays on one lane and independent ones face each other. −1 (either lane, whichever finishes first) for
    /// work outside the layers: the head, the loss.
    /// </summary>
    private static int HomeLane(NodeOrigin origin) =>
        origin.Layer < 0 && origin.Direction < 0 ? -1 : (Math.Max(0, origin.Layer) + Math.Max(0, origin.Direction)) % 2;

    private static double Cost<T>(Instruction<T> ins, int batch) where T : unmanaged
    {
        if (ins.Node.Op.Name == "matmul") return InstructionCost + Compiler.Analysis.OpCost.Flops(ins.Node, batch);
        long elements = ins.OutputShape.Aggregate(1L, (a, b) => a * b);
        foreach (var shape in ins.InputShapes) elements += shape.Aggregate(1L, (a, b) => a * b);
        return InstructionCost + ElementCost * elements;
    }
}
