using System.Numerics;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Kernels;

/// <summary>Embedding lookup and its adjoint. Token ids travel in the executor's float buffers as exact integers.</summary>
public static class EmbeddingKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void GatherRows(Instruction<T> ins, T[][] buf)
    {
        var table = buf[ins.Inputs[0]];
        var ids = buf[ins.Inputs[1]];
        var y = buf[ins.Output];
        int rows = ins.InputShapes[0][0], width = ins.InputShapes[0][1];
        for (int r = 0; r < ids.Length; r++)
        {
            int id = Row(ids[r], rows, r);
            table.AsSpan(id * width, width).CopyTo(y.AsSpan(r * width, width));
        }
    }

    public static void ScatterAddRows(Instruction<T> ins, T[][] buf)
    {
        var src = buf[ins.Inputs[0]];
        var ids = buf[ins.Inputs[1]];
        var y = buf[ins.Output];
        int rows = ins.OutputShape[0], width = ins.OutputShape[1];
        Array.Clear(y);
        for (int r = 0; r < ids.Length; r++)
        {
            int id = Row(ids[r], rows, r);
            System.Numerics.Tensors.TensorPrimitives.Add(y.AsSpan(id * width, width), src.AsSpan(r * width, width), y.AsSpan(id * width, width));
        }
    }

    public static void PickLast(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var ids = buf[ins.Inputs[1]];
        var y = buf[ins.Output];
        int width = ins.InputShapes[0][^1];
        for (int r = 0; r < y.Length; r++) y[r] = x[r * width + Row(ids[r], width, r)];
    }

    /// <summary>Each row's index of its largest entry, the first on ties (as torch.argmax); NaN counts as largest.</summary>
    public static void ArgmaxLast(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var y = buf[ins.Output];
        int width = ins.InputShapes[0][^1];
        for (int r = 0; r < y.Length; r++)
        {
            var row = x.AsSpan(r * width, width);
            int best = 0;
            for (int i = 1; i < width && !T.IsNaN(row[best]); i++)
                if (row[i] > row[best] || T.IsNaN(row[i])) best = i;
            y[r] = T.CreateTruncating(best);
        }
    }

    public static void ScatterLast(Instruction<T> ins, T[][] buf)
    {
        var values = buf[ins.Inputs[0]];
        var ids = buf[ins.Inputs[1]];
        var y = buf[ins.Output];
        int width = ins.OutputShape[^1];
        Array.Clear(y);
        for (int r = 0; r < values.Length; r++) y[r * width + Row(ids[r], width, r)] = values[r];
    }

    private static int Row(T value, int rows, int position)
    {
        int id = int.CreateTruncating(value);
        if (id < 0 || id >= rows || T.CreateTruncating(id) != value)
            throw new RuntimeDataException($"token id {value} in batch row {position} is outside the vocabulary [0, {rows})");
        return id;
    }
}
