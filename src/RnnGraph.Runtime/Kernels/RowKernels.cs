using System.Numerics;
using System.Numerics.Tensors;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Kernels;

/// <summary>Kernels that work row by row along the last axis: softmax, sums, slices and concatenation.</summary>
public static class RowKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static int Width(int[] shape) => shape.Length == 0 ? 1 : shape[^1];

    /// <summary>Softmax over the last axis, shifted by the row maximum so large inputs do not overflow.</summary>
    public static void Softmax(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var y = buf[ins.Output];
        int n = Width(ins.OutputShape);
        for (int r = 0; r < y.Length; r += n)
        {
            var xr = x.AsSpan(r, n);
            var yr = y.AsSpan(r, n);
            T max = TensorPrimitives.Max<T>(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp<T>(yr, yr);
            T sum = TensorPrimitives.Sum<T>(yr);
            TensorPrimitives.Divide(yr, sum, yr);
        }
    }

    /// <summary>Log-softmax over the last axis: x - max - log(sum(exp(x - max))).</summary>
    public static void LogSoftmax(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var y = buf[ins.Output];
        int n = Width(ins.OutputShape);
        for (int r = 0; r < y.Length; r += n)
        {
            var xr = x.AsSpan(r, n);
            var yr = y.AsSpan(r, n);
            T max = TensorPrimitives.Max<T>(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            T sum = T.Zero;
            foreach (T v in yr) sum += T.Exp(v);
            TensorPrimitives.Subtract(yr, T.Log(sum), yr);
        }
    }

    public static void SumLast(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var y = buf[ins.Output];
        int n = Width(ins.InputShapes[0]);
        for (int r = 0; r < y.Length; r++) y[r] = TensorPrimitives.Sum<T>(x.AsSpan(r * n, n));
    }

    public static void SliceLast(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var y = buf[ins.Output];
        int start = ins.Node.Attributes.I0, len = ins.Node.Attributes.I1, width = Width(ins.InputShapes[0]);
        for (int r = 0, rows = y.Length / len; r < rows; r++) x.AsSpan(r * width + start, len).CopyTo(y.AsSpan(r * len, len));
    }

    public static void PadLast(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var y = buf[ins.Output];
        int start = ins.Node.Attributes.I0, width = ins.Node.Attributes.I1, len = Width(ins.InputShapes[0]);
        Array.Clear(y);
        for (int r = 0, rows = x.Length / len; r < rows; r++) x.AsSpan(r * len, len).CopyTo(y.AsSpan(r * width + start, len));
    }

    public static void ConcatLast(Instruction<T> ins, T[][] buf)
    {
        var y = buf[ins.Output];
        int width = Width(ins.OutputShape);
        int rows = y.Length / width;
        int offset = 0;
        for (int i = 0; i < ins.Inputs.Length; i++)
        {
            var x = buf[ins.Inputs[i]];
            int len = Width(ins.InputShapes[i]);
            for (int r = 0; r < rows; r++) x.AsSpan(r * len, len).CopyTo(y.AsSpan(r * width + offset, len));
            offset += len;
        }
    }

    /// <summary>Rows of a row-major 2-D tensor are contiguous, so a row slice is one copy.</summary>
    public static void SliceRows(Instruction<T> ins, T[][] buf)
    {
        int width = ins.InputShapes[0][1];
        int start = ResolveRows(ins.Node.Attributes.I0, ins.Node.Attributes.I1, ins.OutputShape[0]);
        buf[ins.Inputs[0]].AsSpan(start * width, buf[ins.Output].Length).CopyTo(buf[ins.Output]);
    }

    public static void PadRows(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var y = buf[ins.Output];
        int width = ins.InputShapes[0][1];
        int start = ResolveRows(ins.Node.Attributes.I0, ins.Node.Attributes.I1, ins.OutputShape[0]);
        Array.Clear(y);
        x.CopyTo(y.AsSpan(start * width, x.Length));
    }

    /// <summary>Stacks the inputs along the rows; each is contiguous, so one copy per input.</summary>
    public static void ConcatRows(Instruction<T> ins, T[][] buf)
    {
        var y = buf[ins.Output].AsSpan();
        int offset = 0;
        for (int i = 0; i < ins.Inputs.Length; i++)
        {
            var x = buf[ins.Inputs[i]];
            x.CopyTo(y.Slice(offset, x.Length));
            offset += x.Length;
        }
    }

    /// <summary>
    /// A row offset in rows. Offsets below zero count whole batches (as symbolic shapes do); the batch is
    /// recovered from <paramref name="rows"/>, the encoded row count whose resolved size is <paramref name="resolvedRows"/>.
    /// </summary>
    private static int ResolveRows(int start, int rows, int resolvedRows) =>
        start >= 0 ? start : -start * (resolvedRows / -rows);
}
