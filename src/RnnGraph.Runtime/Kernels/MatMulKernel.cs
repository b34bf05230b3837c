using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Kernels;

/// <summary>
/// Matrix product C = op(A) op(B) for all four transpose variants. Float32 products big enough to pay for
/// packing go to <see cref="PackedGemm"/>; small ones (the batch-1 latency case above all) and float64 (the
/// gradient checks) take the direct path, whose inner loop runs over contiguous memory through TensorPrimitives.
/// </summary>
public static class MatMulKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Run(Instruction<T> ins, T[][] buf)
    {
        var a = buf[ins.Inputs[0]];
        var b = buf[ins.Inputs[1]];
        var c = buf[ins.Output];
        bool ta = ins.Node.Attributes.I0 == 1, tb = ins.Node.Attributes.I1 == 1;
        int[] sa = ins.InputShapes[0], sb = ins.InputShapes[1];
        int m = ins.OutputShape[0], n = ins.OutputShape[1];
        int k = ta ? sa[0] : sa[1];
        if (typeof(T) == typeof(float) && ins.PackedB is { } packed)
            PackedGemm.Multiply(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c.AsSpan()), m, n, k, ta, tb, packed);
        else
            Multiply(a, b, c, m, n, k, ta, tb);
    }

    /// <summary>C[m,n] = op(A) op(B); A is [m,k] (or [k,m] when transposed), B is [k,n] (or [n,k]).</summary>
    public static void Multiply(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool ta, bool tb)
    {
        if (typeof(T) == typeof(float) && PackedGemm.IsSupported && UsePacked(m, n, k, ta, tb))
            PackedGemm.Multiply(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, n, k, ta, tb);
        else if (typeof(T) == typeof(float) && m <= MaxVectorRows)
            MultiplyRows(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, n, k, ta, tb);
        else
            MultiplyDirect(a, b, c, m, n, k, ta, tb);
    }

    /// <summary>Whether packing pays for itself; thresholds measured on the shapes of the recurrent layers.</summary>
    internal static bool UsePacked(int m, int n, int k, bool ta, bool tb)
    {
        if (k == 0 || m == 0 || n == 0) return false;
        // With a few rows, packing all of B costs more than the products it feeds; row updates and dot
        // products stream B once (batch-1 and batch-2 latency). Row updates also win for very short k.
        if (m <= 2) return false;
        if (!tb && (m <= 4 || k <= 4)) return false;
        return true;
    }

    /// <summary>Products with at most this many rows go row by row through <see cref="GemvKernels"/> (float32).</summary>
    internal const int MaxVectorRows = 2;

    /// <summary>Each row of C as a matrix–vector product; a transposed A's column is gathered first.</summary>
    internal static void MultiplyRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool ta, bool tb)
    {
        float[]? rented = ta && k > 1024 ? System.Buffers.ArrayPool<float>.Shared.Rent(k) : null;
        Span<float> column = !ta ? default : rented is null ? stackalloc float[k] : rented.AsSpan(0, k);
        for (int i = 0; i < m; i++)
        {
            scoped ReadOnlySpan<float> row;
            if (ta)
            {
                for (int p = 0; p < k; p++) column[p] = a[p * m + i];
                row = column;
            }
            else row = a.Slice(i * k, k);
            if (tb) GemvKernels.DotRows(row, b, c.Slice(i * n, n), n, k);
            else GemvKernels.CombineRows(row, b, c.Slice(i * n, n), n, k);
        }
        if (rented is not null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
    }

    /// <summary>The unpacked product: dot products or row updates over contiguous memory.</summary>
    internal static void MultiplyDirect(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool ta, bool tb)
    {
        switch (ta, tb)
        {
            case (false, true):
                // C[i,j] = A[i,:] . B[j,:]
                for (int i = 0; i < m; i++)
                {
                    var ai = a.Slice(i * k, k);
                    for (int j = 0; j < n; j++) c[i * n + j] = TensorPrimitives.Dot(ai, b.Slice(j * k, k));
                }
                break;
            case (false, false):
                // C[i,:] = sum_p A[i,p] B[p,:]
                c.Slice(0, m * n).Clear();
                for (int i = 0; i < m; i++)
                {
                    var ci = c.Slice(i * n, n);
                    for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[i * k + p], ci, ci);
                }
                break;
            case (true, false):
                // C[i,:] = sum_p A[p,i] B[p,:]
                c.Slice(0, m * n).Clear();
                for (int p = 0; p < k; p++)
                {
                    var bp = b.Slice(p * n, n);
                    for (int i = 0; i < m; i++)
                    {
                        var ci = c.Slice(i * n, n);
                        TensorPrimitives.MultiplyAdd(bp, a[p * m + i], ci, ci);
                    }
                }
                break;
            default:
                // C[i,j] = A[:,i] . B[j,:]: column i of A gathered once, then dot products as in (false, true).
                T[]? rented = k > 256 ? System.Buffers.ArrayPool<T>.Shared.Rent(k) : null;
                Span<T> column = rented is null ? stackalloc T[k] : rented.AsSpan(0, k);
                for (int i = 0; i < m; i++)
                {
                    for (int p = 0; p < k; p++) column[p] = a[p * m + i];
                    for (int j = 0; j < n; j++) c[i * n + j] = TensorPrimitives.Dot(column, b.Slice(j * k, k));
                }
                if (rented is not null) System.Buffers.ArrayPool<T>.Shared.Return(rented);
                break;
        }
    }
}
