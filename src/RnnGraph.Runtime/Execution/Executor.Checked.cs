using RnnGraph.Compiler.IR;
using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Runtime.Execution;

/// <summary>The first node whose value is not finite, the index of its first such element, and that element.</summary>
public sealed record NonFiniteValue(Node Node, int NodeIndex, int Element, double Value);

public sealed partial class Executor<T>
{
    /// <summary>
    /// Runs the graph on one thread in program order (forward, then backward), testing every value as it is made: the
    /// leaves first (inputs and weights), then each kernel's output right after the kernel, before any later kernel
    /// can reuse its array. Returns the first value with a NaN or an infinity, or null when every value is finite.
    /// Slow (a pass over every value); for finding where a numeric fault starts, not for training.
    /// </summary>
    public NonFiniteValue? RunChecked()
    {
        if (_unset.Count > 0)
            throw new RuntimeDataException("no value was given for " + string.Join(", ", _unset.Take(5).Select(Describe)));
        for (int i = 0; i < Graph.Nodes.Count; i++)
            if (KernelTable<T>.LeafOps.Contains(Graph.Nodes[i].Op.Name) && FirstNonFinite(i) is { } leaf) return leaf;
        if (_packed.Length > 0)
        {
            var floats = (float[][])(object)_buffers;
            foreach (var operand in _packed) operand.Pack(floats[operand.Slot]);
        }
        foreach (int i in _sequence)
        {
            var ins = _program[i];
            ins.Kernel(ins, _buffers);
            if (FirstNonFinite(ins.Output) is { } found) return found;
        }
        return null;
    }

    private NonFiniteValue? FirstNonFinite(int slot)
    {
        var values = _buffers[slot];
        for (int e = 0; e < values.Length; e++)
            if (!T.IsFinite(values[e])) return new NonFiniteValue(Graph.Nodes[slot], slot, e, double.CreateTruncating(values[e]));
        return null;
    }
}
