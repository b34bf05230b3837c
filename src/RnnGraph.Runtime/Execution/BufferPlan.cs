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

    /// <summary>As <see cref="Allocate{T}(Graph, int, bool)"/>, also giving the bytes of the distinct arrays (<see cref="Bytes{T}"/>).</summary>
    public static T[][] Allocate<T>(Graph graph, int batch, bool share, out long bytes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var nodes = graph.Nodes;
        var index = new Dictionary<Node, int>(nodes.Count);
        for (int i = 0; i < nodes.Count; i++) index[nodes[i]] = i;

        var buffers = new T[nodes.Count][];
        var counts = new int[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) counts[i] = checked((int)nodes[i].Shape.ElementCount(batch));
        long elements = 0;
        if (!share)
        {
            for (int i = 0; i < nodes.Count; i++) elements += (buffers[i] = new T[counts[i]]).Length;
            bytes = elements * Unsafe.SizeOf<T>();
            return buffers;
        }

        // The nodes are in program order, so a node's last use is its last consumer's index.
        var lastUse = new int[nodes.Count];
        var pinned = new bool[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            lastUse[i] = i;
            pinned[i] = KernelTable<T>.LeafOps.Contains(nodes[i].Op.Name);
            foreach (var input in nodes[i].InputSpan) lastUse[index[input]] = i;
        }
        foreach (var output in graph.Outputs) pinned[index[output.Node]] = true;

        var free = new Dictionary<int, Stack<T[]>>();
        var released = new bool[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            // The output is taken before the inputs are released: no kernel writes an array it reads.
            if (!pinned[i] && free.TryGetValue(counts[i], out var pool) && pool.Count > 0) buffers[i] = pool.Pop();
            else elements += (buffers[i] = new T[counts[i]]).Length;
            foreach (var input in nodes[i].InputSpan)
            {
                int j = index[input];
                // A node read twice by one consumer goes back to the pool once.
                if (!pinned[j] && lastUse[j] == i && !released[j]) Release(free, buffers, released, j, counts[j]);
            }
            // A node nobody reads (dead code) needs its array only while its kernel runs.
            if (!pinned[i] && lastUse[i] == i) Release(free, buffers, released, i, counts[i]);
        }
        bytes = elements * Unsafe.SizeOf<T>();
        return buffers;
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

    private static void Release<T>(Dictionary<int, Stack<T[]>> free, T[][] buffers, bool[] released, int node, int count)
    {
        if (!free.TryGetValue(count, out var pool)) free[count] = pool = new Stack<T[]>();
        pool.Push(buffers[node]);
        released[node] = true;
    }
}
