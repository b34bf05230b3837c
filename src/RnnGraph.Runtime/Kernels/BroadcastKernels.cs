using System.Numerics;
using System.Numerics.Tensors;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Kernels;

/// <summary>Broadcasting to a larger shape and its adjoint, summing back down to a smaller one.</summary>
public static class BroadcastKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void SumTo(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var y = buf[ins.Output];
        if (y.Length == 1) { y[0] = TensorPrimitives.Sum<T>(x); return; }
        var inShape = ins.InputShapes[0];
        var outShape = ins.OutputShape;
        // The common case: a bias gradient, [rows, n] summed to [n].
        if (outShape.Length >= 1 && x.Length % y.Length == 0 && SuffixEquals(inShape, outShape))
        {
            x.AsSpan(0, y.Length).CopyTo(y);
            for (int r = y.Length; r < x.Length; r += y.Length) TensorPrimitives.Add(y, x.AsSpan(r, y.Length), y);
            return;
        }
        // Row sums: [rows, n] summed to [rows, 1] (the adjoint of a column broadcast), left to right like the general path.
        int last = inShape.Length == 0 ? 1 : inShape[^1];
        if (last > 1 && outShape.Length >= 1 && outShape[^1] == 1 && y.Length * last == x.Length)
        {
            for (int r = 0, i = 0; r < y.Length; r++)
            {
                T sum = T.Zero;
                for (int end = i + last; i < end; i++) sum += x[i];
                y[r] = sum;
            }
            return;
        }
        ins.Strides ??= [ElementwiseKernels<T>.StridesFor(outShape, inShape)];
        var strides = ins.Strides[0];
        Array.Clear(y);
        for (int i = 0; i < x.Length; i++) y[Offset(i, inShape, strides)] += x[i];
    }

    public static void BroadcastTo(Instruction<T> ins, T[][] buf)
    {
        var x = buf[ins.Inputs[0]];
        var y = buf[ins.Output];
        if (x.Length == 1) { y.AsSpan().Fill(x[0]); return; }
        var inShape = ins.InputShapes[0];
        var outShape = ins.OutputShape;
        if (SuffixEquals(outShape, inShape))
        {
            for (int r = 0; r < y.Length; r += x.Length) x.CopyTo(y.AsSpan(r, x.Length));
            return;
        }
        ins.Strides ??= [ElementwiseKernels<T>.StridesFor(inShape, outShape)];
        var strides = ins.Strides[0];
        for (int i = 0; i < y.Length; i++) y[i] = x[Offset(i, outShape, strides)];
    }

    /// <summary>Whether <paramref name="small"/> equals the trailing axes of <paramref name="large"/> (ignoring leading 1s).</summary>
    private static bool SuffixEquals(int[] large, int[] small)
    {
        int skip = 0;
        while (skip < small.Length && small[skip] == 1) skip++;
        int n = small.Length - skip;
        if (n > large.Length) return false;
        for (int i = 0; i < n; i++) if (large[large.Length - n + i] != small[skip + i]) return false;
        return true;
    }

    private static int Offset(int linear, int[] shape, int[] strides)
    {
        int offset = 0;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            offset += linear % shape[d] * strides[d];
            linear /= shape[d];
        }
        return offset;
    }
}
