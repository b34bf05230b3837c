using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnGraph.Runtime.Kernels;

/// <summary>
/// Float32 matrix–vector products for products with one or two rows (batch 1 and 2: the latency case), where packing
/// would cost more than it saves. Both forms keep their running sums in vector registers and stream the matrix once:
/// <list type="bullet">
/// <item><see cref="DotRows"/>: <c>y[j] = x · W[j,:]</c> (W stored [n,k], the layers' <c>x Wᵀ</c>), four rows of W per
/// pass so each load of x feeds four fused multiply-adds;</item>
/// <item><see cref="CombineRows"/>: <c>y = Σ_p x[p] W[p,:]</c> (W stored [k,n]), 64 columns of y held in registers over
/// all of k instead of a read-modify-write of y per p.</item>
/// </list>
/// AVX-512 and AVX2 paths with a scalar fallback; every path sums in a fixed order, so results do not depend on timing.
/// </summary>
public static class GemvKernels
{
    [ThreadStatic] private static bool reverse;

    /// <summary>The widest vectors this machine runs: 512, 256, or 0 (scalar).</summary>
    public static readonly int NativeBits = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 0;

    /// <summary>y[j] = Σ_p x[p] W[j·k + p] for j &lt; n.</summary>
    public static void DotRows(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int n, int k) => DotRows(x, w, y, n, k, NativeBits);

    /// <summary>y[j] = Σ_p x[p] W[p·n + j] for j &lt; n.</summary>
    public static void CombineRows(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int n, int k) => CombineRows(x, w, y, n, k, NativeBits);

    /// <summary><see cref="DotRows(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with vectors of at most <paramref name="bits"/> (tests run every path).</summary>
    internal static void DotRows(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int n, int k, int bits)
    {
        if (x.Length < k || w.Length < (long)n * k || y.Length < n) throw new ArgumentException("spans are shorter than n and k require");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float wr = ref MemoryMarshal.GetReference(w);
        int j = 0;
        if (bits >= 512 && Vector512.IsHardwareAccelerated && k >= Vector512<float>.Count)
        {
            int blocks = n / 4;
            // Every other call walks the row blocks backwards: a matrix a little larger than L2, read again by the
            // next call (a recurrent weight at the next step), then finds its most recently read rows still cached.
            // Each y[j] is computed the same way in either order.
            if (reverse = !reverse)
                for (int b = blocks - 1; b >= 0; b--) DotFour512(ref xr, ref Unsafe.Add(ref wr, b * 4 * k), k, y.Slice(b * 4, 4));
            else
                for (int b = 0; b < blocks; b++) DotFour512(ref xr, ref Unsafe.Add(ref wr, b * 4 * k), k, y.Slice(b * 4, 4));
            for (j = blocks * 4; j < n; j++) y[j] = Dot512(ref xr, ref Unsafe.Add(ref wr, j * k), k);
        }
        else if (bits >= 256 && Vector256.IsHardwareAccelerated && k >= Vector256<float>.Count)
        {
            for (; j + 4 <= n; j += 4) DotFour256(ref xr, ref Unsafe.Add(ref wr, j * k), k, y.Slice(j, 4));
        }
        for (; j < n; j++) y[j] = DotScalar(ref xr, ref Unsafe.Add(ref wr, j * k), 0, k, 0f);
    }

    /// <summary><see cref="CombineRows(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int)"/> with vectors of at most <paramref name="bits"/>.</summary>
    internal static void CombineRows(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int n, int k, int bits)
    {
        if (x.Length < k || w.Length < (long)n * k || y.Length < n) throw new ArgumentException("spans are shorter than n and k require");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int j = 0;
        if (bits >= 512 && Vector512.IsHardwareAccelerated)
        {
            for (; j + 64 <= n; j += 64)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int p = 0; p < k; p++)
                {
                    var s = Vector512.Create(Unsafe.Add(ref xr, p));
                    ref float row = ref Unsafe.Add(ref wr, p * n + j);
                    a0 = Vector512.FusedMultiplyAdd(s, Vector512.LoadUnsafe(ref row), a0);
                    a1 = Vector512.FusedMultiplyAdd(s, Vector512.LoadUnsafe(ref row, 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(s, Vector512.LoadUnsafe(ref row, 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(s, Vector512.LoadUnsafe(ref row, 48), a3);
                }
                a0.StoreUnsafe(ref yr, (nuint)j);
                a1.StoreUnsafe(ref yr, (nuint)(j + 16));
                a2.StoreUnsafe(ref yr, (nuint)(j + 32));
                a3.StoreUnsafe(ref yr, (nuint)(j + 48));
            }
            for (; j + 16 <= n; j += 16)
            {
                Vector512<float> a0 = default;
                for (int p = 0; p < k; p++)
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref xr, p)), Vector512.LoadUnsafe(ref wr, (nuint)(p * n + j)), a0);
                a0.StoreUnsafe(ref yr, (nuint)j);
            }
        }
        if (bits >= 256 && Vector256.IsHardwareAccelerated)
        {
            for (; j + 32 <= n; j += 32)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int p = 0; p < k; p++)
                {
                    var s = Vector256.Create(Unsafe.Add(ref xr, p));
                    ref float row = ref Unsafe.Add(ref wr, p * n + j);
                    a0 = Vector256.FusedMultiplyAdd(s, Vector256.LoadUnsafe(ref row), a0);
                    a1 = Vector256.FusedMultiplyAdd(s, Vector256.LoadUnsafe(ref row, 8), a1);
                    a2 = Vector256.FusedMultiplyAdd(s, Vector256.LoadUnsafe(ref row, 16), a2);
                    a3 = Vector256.FusedMultiplyAdd(s, Vector256.LoadUnsafe(ref row, 24), a3);
                }
                a0.StoreUnsafe(ref yr, (nuint)j);
                a1.StoreUnsafe(ref yr, (nuint)(j + 8));
                a2.StoreUnsafe(ref yr, (nuint)(j + 16));
                a3.StoreUnsafe(ref yr, (nuint)(j + 24));
            }
            for (; j + 8 <= n; j += 8)
            {
                Vector256<float> a0 = default;
                for (int p = 0; p < k; p++)
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref xr, p)), Vector256.LoadUnsafe(ref wr, (nuint)(p * n + j)), a0);
                a0.StoreUnsafe(ref yr, (nuint)j);
            }
        }
        for (; j < n; j++)
        {
            float sum = 0f;
            for (int p = 0; p < k; p++) sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, p), Unsafe.Add(ref wr, p * n + j), sum);
            Unsafe.Add(ref yr, j) = sum;
        }
    }

    private static void DotFour512(ref float x, ref float w, int k, Span<float> y)
    {
        ref float w1 = ref Unsafe.Add(ref w, k);
        ref float w2 = ref Unsafe.Add(ref w, 2 * k);
        ref float w3 = ref Unsafe.Add(ref w, 3 * k);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            var xv = Vector512.LoadUnsafe(ref x, (nuint)p);
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, (nuint)p), xv, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, (nuint)p), xv, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w2, (nuint)p), xv, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w3, (nuint)p), xv, a3);
        }
        y[0] = DotScalar(ref x, ref w, p, k, Vector512.Sum(a0));
        y[1] = DotScalar(ref x, ref w1, p, k, Vector512.Sum(a1));
        y[2] = DotScalar(ref x, ref w2, p, k, Vector512.Sum(a2));
        y[3] = DotScalar(ref x, ref w3, p, k, Vector512.Sum(a3));
    }

    private static float Dot512(ref float x, ref float w, int k)
    {
        Vector512<float> a0 = default;
        int p = 0;
        for (; p + 16 <= k; p += 16)
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, (nuint)p), Vector512.LoadUnsafe(ref x, (nuint)p), a0);
        return DotScalar(ref x, ref w, p, k, Vector512.Sum(a0));
    }

    private static void DotFour256(ref float x, ref float w, int k, Span<float> y)
    {
        ref float w1 = ref Unsafe.Add(ref w, k);
        ref float w2 = ref Unsafe.Add(ref w, 2 * k);
        ref float w3 = ref Unsafe.Add(ref w, 3 * k);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var xv = Vector256.LoadUnsafe(ref x, (nuint)p);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, (nuint)p), xv, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w1, (nuint)p), xv, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w2, (nuint)p), xv, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w3, (nuint)p), xv, a3);
        }
        y[0] = DotScalar(ref x, ref w, p, k, Vector256.Sum(a0));
        y[1] = DotScalar(ref x, ref w1, p, k, Vector256.Sum(a1));
        y[2] = DotScalar(ref x, ref w2, p, k, Vector256.Sum(a2));
        y[3] = DotScalar(ref x, ref w3, p, k, Vector256.Sum(a3));
    }

    /// <summary>The tail p..k of a dot product, added to <paramref name="sum"/>.</summary>
    private static float DotScalar(ref float x, ref float w, int p, int k, float sum)
    {
        for (; p < k; p++) sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, p), Unsafe.Add(ref w, p), sum);
        return sum;
    }
}
