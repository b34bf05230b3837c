using System.Numerics;
using System.Runtime.CompilerServices;
using RnnGraph.Compiler.IR;
using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Runtime.Execution;

/// <summary>
/// Liveness-based buffer reuse: one array per node, but nodes whose lifetimes do not overlap and whose
/// element counts are equal share an array. Leaves and graph outputs keep arrays of their own, so their
/// values survive a run. Every kernel overwrites its whole output, so a reused array needs no clearing.
/// </summary>
internal static class BufferPlan
{
    /// <summary>Arrays for <paramref name="graph"/>'s nodes, in node order; shared where <paramref name="share"/> allows.</summary>
    public static T[][] Allocate<T>(Graph graph, int batch, bool share) where T : unmanaged, IFloatingPointIeee754<T> =>
        Allocate<T>(graph, batch, share, out _);

    /// <summary>
    /// As <see cref="Allocate{T}(Graph, int, bool)"/>, also giving the bytes of the distinct arrays (<see cref="Bytes{T}"/>);
    /// <paramref name="beforeAllocating"/> sees those bytes first and may refuse them by throwing.
    /// </summary>
    public static T[][] Allocate<T>(Graph graph, int batch, bool share, out long bytes, Action<long>? beforeAllocating = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (arrayOf, sizes) = Plan(graph, batch, share, KernelTable<T>.LeafOps);
        beforeAllocating?.Invoke(sizes.Sum() * Unsafe.SizeOf<T>());
        var arrays = new T[sizes.Count][];
        long elements = 0;
        for (int a = 0; a < arrays.Length; a++) elements += (arrays[a] = new T[checked((int)sizes[a])]).Length;
        var buffers = new T[arrayOf.Length][];
        for (int i = 0; i < buffers.Length; i++) buffers[i] = arrays[arrayOf[i]];
        bytes = elements * Unsafe.SizeOf<T>();
        return buffers;
    }

    /// <summary>
    /// The bytes <see cref="Allocate{T}(Graph, int, bool, out long)"/> would allocate, worked out without allocating them
    /// (<see cref="MemoryEstimate"/> checks them against the limit first).
    /// </summary>
    public static long PlannedBytes<T>(Graph graph, int batch, bool share) where T : unmanaged, IFloatingPointIeee754<T> =>
        Plan(graph, batch, share, KernelTable<T>.LeafOps).Sizes.Sum() * Unsafe.SizeOf<T>();

    /// <summary>The sequential plan: for each node the index of its array, and each array's element count.</summary>
    private static (int[] ArrayOf, List<long> Sizes) Plan(Graph graph, int batch, bool share, IReadOnlySet<string> leafOps)
    {
        var nodes = graph.Nodes;
        var arrayOf = new int[nodes.Count];
        var sizes = new List<long>(nodes.Count);
        var counts = new long[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) counts[i] = nodes[i].Shape.ElementCount(batch);
        if (!share)
        {
            for (int i = 0; i < nodes.Count; i++)
            {
                arrayOf[i] = sizes.Count;
                sizes.Add(counts[i]);
            }
            return (arrayOf, sizes);
        }
        var index = new Dictionary<Node, int>(nodes.Count);
        for (int i = 0; i < nodes.Count; i++) index[nodes[i]] = i;

        // The nodes are in program order, so a node's last use is its last consumer's index.
        var lastUse = new int[nodes.Count];
        var pinned = new bool[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            lastUse[i] = i;
            pinned[i] = leafOps.Contains(nodes[i].Op.Name);
            foreach (var input in nodes[i].InputSpan) lastUse[index[input]] = i;
        }
        foreach (var output in graph.Outputs) pinned[index[output.Node]] = true;

        var free = new Dictionary<long, Stack<int>>();
        var released = new bool[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            // The output is taken before the inputs are released: no kernel writes an array it reads.
            if (!pinned[i] && free.TryGetValue(counts[i], out var pool) && pool.Count > 0) arrayOf[i] = pool.Pop();
            else
            {
                arrayOf[i] = sizes.Count;
                sizes.Add(counts[i]);
            }
            foreach (var input in nodes[i].InputSpan)
            {
                int j = index[input];
                // A node read twice by one consumer goes back to the pool once.
                if (!pinned[j] && lastUse[j] == i && !released[j]) Release(free, arrayOf, released, j, counts[j]);
            }
            // A node nobody reads (dead code) needs its array only while its kernel runs.
            if (!pinned[i] && lastUse[i] == i) Release(free, arrayOf, released, i, counts[i]);
        }
        return (arrayOf, sizes);
    }

    /// <summary>
    /// Arrays for a program run on two lanes (<see cref="LaneSchedule"/>): a value's array goes to a later instruction only
    /// when the writer and every reader of the value are known to be done when that instruction starts (its own lane's
    /// earlier instructions, and the other lane's as far as its waits reach), so no lane overwrites what the other still
    /// reads. Leaves and graph outputs keep arrays of their own, as in the sequential plan.
    /// </summary>
    public static T[][] Allocate<T>(Graph graph, int batch, Instruction<T>[] program, LaneSchedule schedule) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var nodes = graph.Nodes;
        var buffers = new T[nodes.Count][];
        var counts = new int[nodes.Count];
        var pinned = new bool[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            counts[i] = checked((int)nodes[i].Shape.ElementCount(batch));
            pinned[i] = KernelTable<T>.LeafOps.Contains(nodes[i].Op.Name);
        }
        var index = new Dictionary<Node, int>(nodes.Count);
        for (int i = 0; i < nodes.Count; i++) index[nodes[i]] = i;
        foreach (var output in graph.Outputs) pinned[index[output.Node]] = true;
        for (int i = 0; i < nodes.Count; i++)
            if (pinned[i]) buffers[i] = new T[counts[i]];

        // Per value: how many instructions of each lane must be done before its array is free (writer and readers),
        // and how many readers are still to come in the schedule's order.
        var doneBefore = new (int Lane0, int Lane1)[nodes.Count];
        var readersLeft = new int[nodes.Count];
        foreach (int i in schedule.Order)
        {
            var ins = program[i];
            Mark(ref doneBefore[ins.Output], schedule.LaneOf[i], schedule.Position[i] + 1);
            foreach (int slot in ins.Inputs.Distinct())
            {
                Mark(ref doneBefore[slot], schedule.LaneOf[i], schedule.Position[i] + 1);
                readersLeft[slot]++;
            }
        }

        var free = new Dictionary<int, List<(T[] Array, int Lane0, int Lane1)>>();
        foreach (int i in schedule.Order)
        {
            var ins = program[i];
            int slot = ins.Output;
            if (!pinned[slot])
            {
                int known0 = schedule.KnownDone(i, 0), known1 = schedule.KnownDone(i, 1);
                T[]? reused = null;
                if (free.TryGetValue(counts[slot], out var pool))
                    for (int f = 0; f < pool.Count; f++)
                        if (pool[f].Lane0 <= known0 && pool[f].Lane1 <= known1)
                        {
                            reused = pool[f].Array;
                            pool[f] = pool[^1];
                            pool.RemoveAt(pool.Count - 1);
                            break;
                        }
                buffers[slot] = reused ?? new T[counts[slot]];
                if (readersLeft[slot] == 0) Free(free, buffers[slot], doneBefore[slot]);
            }
            foreach (int input in ins.Inputs.Distinct())
                if (!pinned[input] && --readersLeft[input] == 0) Free(free, buffers[input], doneBefore[input]);
        }
        // Values no instruction writes (none but leaves today) still get an array.
        for (int i = 0; i < nodes.Count; i++) buffers[i] ??= new T[counts[i]];
        return buffers;

        static void Mark(ref (int Lane0, int Lane1) before, int lane, int count)
        {
            if (lane == 0) before.Lane0 = Math.Max(before.Lane0, count);
            else before.Lane1 = Math.Max(before.Lane1, count);
        }

        static void Free(Dictionary<int, List<(T[], int, int)>> free, T[] array, (int Lane0, int Lane1) before)
        {
            if (!free.TryGetValue(array.Length, out var pool)) free[array.Length] = pool = [];
            pool.Add((array, before.Lane0, before.Lane1));
        }
    }

    /// <summary>Bytes held by the distinct arrays of <paramref name="buffers"/>.</summary>
    public static long Bytes<T>(T[][] buffers) where T : unmanaged
    {
        var seen = new HashSet<T[]>(ReferenceEqualityComparer.Instance);
        long total = 0;
        foreach (var buffer in buffers)
            if (seen.Add(buffer)) total += (long)buffer.Length * Unsafe.SizeOf<T>();
        return total;
    }

    /// <summary>Bytes the graph would take with one array per node.</summary>
    public static long UnsharedBytes<T>(Graph graph, int batch) where T : unmanaged =>
        graph.Nodes.Sum(n => n.Shape.ElementCount(batch)) * Unsafe.SizeOf<T>();

    private static void Release(Dictionary<long, Stack<int>> free, int[] arrayOf, bool[] released, int node, long count)
    {
        if (!free.TryGetValue(count, out var pool)) free[count] = pool = new Stack<int>();
        pool.Push(arrayOf[node]);
        released[node] = true;
    }
}
