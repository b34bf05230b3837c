using System.Runtime.Intrinsics.X86;

namespace RnnGraph.Runtime.Kernels;

/// <summary>
/// Float32 GEMM in the Goto/BLIS shape: k blocked by KC and n by NC so a packed B block stays in L2/L3, m
/// blocked by MC so a packed A block stays in L2, and a register-blocked micro-kernel over MR×NR tiles
/// (8×32 with AVX-512, 6×16 with AVX2/FMA). Packing buffers are per thread, grown on first use
/// to the largest blocks seen, and reused (no allocation per call in steady state).
/// </summary>
internal static unsafe class PackedGemm
{
    // MC is a multiple of both MRs (8 and 6), NC of both NRs (32 and 16).
    private const int KC = 256, MC = 192, NC = 1024;

    [ThreadStatic] private static float[]? packedA;
    [ThreadStatic] private static float[]? packedB;

    public static bool IsSupported => Avx512F.IsSupported || (Avx2.IsSupported && Fma.IsSupported);

    /// <summary>C[m,n] = op(A) op(B); requires <see cref="IsSupported"/> and k &gt; 0.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool ta, bool tb) =>
        Multiply(a, b, c, m, n, k, ta, tb, Avx512F.IsSupported);

    /// <summary>As above with the micro-kernel chosen: <paramref name="wide"/> is AVX-512 (tests run both where they can).</summary>
    internal static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool ta, bool tb, bool wide) =>
        Multiply(a, b, c, m, n, k, ta, tb, wide, Parts(m, n, k, wide ? 32 : 16));

    /// <summary>As above, split into <paramref name="parts"/> column slices of C run in parallel.</summary>
    internal static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool ta, bool tb, bool wide, int parts)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (parts <= 1) MultiplyColumns(pa, pb, pc, m, n, k, ta, tb, wide, 0, n, null);
            else MultiplyInParallel(pa, pb, pc, m, n, k, ta, tb, wide, parts);
        }
    }

    /// <summary>
    /// C = op(A) B where B was packed beforehand by <see cref="PackAllB"/> (a weight read by many products of one run:
    /// packed once per run instead of once per product). Falls back to packing B itself when the product is split
    /// across threads.
    /// </summary>
    internal static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool ta, bool tb, PackedOperand packed)
    {
        bool wide = packed.Wide;
        int parts = Parts(m, n, k, wide ? 32 : 16);
        fixed (float* pa = a, pb = b, pc = c, pp = packed.Data)
        {
            if (parts <= 1) MultiplyColumns(pa, pb, pc, m, n, k, ta, tb, wide, 0, n, pp);
            else MultiplyInParallel(pa, pb, pc, m, n, k, ta, tb, wide, parts);
        }
    }

    /// <summary>Floats <see cref="PackAllB"/> writes for a [k,n] op(B).</summary>
    internal static int PackedSizeB(int n, int k, bool wide)
    {
        int nr = wide ? 32 : 16;
        return (n + nr - 1) / nr * nr * k;
    }

    /// <summary>
    /// Every (NC, KC) block of op(B) in the order <see cref="MultiplyColumns"/> reads them: block (jc, p0) at
    /// <c>jc·k + round_up(nc, NR)·p0</c> (NC is a multiple of NR, so all blocks before column jc are full).
    /// </summary>
    internal static void PackAllB(ReadOnlySpan<float> b, int n, int k, bool tb, bool wide, Span<float> destination)
    {
        int nr = wide ? 32 : 16;
        if (destination.Length < PackedSizeB(n, k, wide)) throw new ArgumentException("the destination is too small", nameof(destination));
        fixed (float* pb = b, dst = destination)
        {
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int p0 = 0; p0 < k; p0 += KC)
                    GemmPacking.PackB(pb, n, k, tb, jc, nc, p0, Math.Min(KC, k - p0), nr, dst + PackedOffset(jc, nc, p0, k, nr));
            }
        }
    }

    private static long PackedOffset(int jc, int nc, int p0, int k, int nr) => (long)jc * k + (long)(nc + nr - 1) / nr * nr * p0;

    /// <summary>Column slices of C, whole NR panels each; every thread packs its own blocks into its own buffers.</summary>
    private static void MultiplyInParallel(float* pa, float* pb, float* pc, int m, int n, int k, bool ta, bool tb, bool wide, int parts)
    {
        // Kept apart from the single-threaded entry: the closure is allocated only here.
        nint addressA = (nint)pa, addressB = (nint)pb, addressC = (nint)pc;
        int nr = wide ? 32 : 16, width = (n + parts - 1) / parts;
        width = (width + nr - 1) / nr * nr;
        Parallel.For(0, parts, part =>
        {
            int j0 = part * width, j1 = Math.Min(n, j0 + width);
            if (j0 < j1) MultiplyColumns((float*)addressA, (float*)addressB, (float*)addressC, m, n, k, ta, tb, wide, j0, j1, null);
        });
    }

    /// <summary>How many column slices to run at once: one unless <see cref="GemmThreading.MaxThreads"/> allows more and the product is large.</summary>
    private static int Parts(int m, int n, int k, int nr)
    {
        int threads = GemmThreading.MaxThreads;
        if (threads <= 1 || GemmThreading.InLane || 2.0 * m * n * k < GemmThreading.MinFlops) return 1;
        // At least four panels per slice, so slicing does not just add edge work.
        return Math.Max(1, Math.Min(threads, n / (4 * nr)));
    }

    /// <summary>Columns j0..j1 of C; <paramref name="prepackedB"/> (all of op(B), see <see cref="PackAllB"/>) needs j0 = 0.</summary>
    private static void MultiplyColumns(float* pa, float* pb, float* pc, int m, int n, int k, bool ta, bool tb, bool wide, int j0, int j1, float* prepackedB)
    {
        int mr = wide ? 8 : 6, nr = wide ? 32 : 16;
        // Grown to the largest blocks seen (at most MC×KC and KC×NC), so small products keep small buffers.
        int depth = Math.Min(k, KC);
        var bufferA = Buffer(ref packedA, (Math.Min(m, MC) + mr - 1) / mr * mr * depth);
        var bufferB = prepackedB is null ? Buffer(ref packedB, (Math.Min(j1 - j0, NC) + nr - 1) / nr * nr * depth) : [];
        float* tile = stackalloc float[8 * 32];
        fixed (float* packA = bufferA, ownB = bufferB)
        {
            for (int jc = j0; jc < j1; jc += NC)
            {
                int nc = Math.Min(NC, j1 - jc);
                for (int p0 = 0; p0 < k; p0 += KC)
                {
                    int kc = Math.Min(KC, k - p0);
                    bool accumulate = p0 > 0;
                    float* packB = ownB;
                    if (prepackedB is not null) packB = prepackedB + PackedOffset(jc, nc, p0, k, nr);
                    else GemmPacking.PackB(pb, n, k, tb, jc, nc, p0, kc, nr, packB);
                    for (int ic = 0; ic < m; ic += MC)
                    {
                        int mc = Math.Min(MC, m - ic);
                        GemmPacking.PackA(pa, m, k, ta, ic, mc, p0, kc, mr, packA);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            float* panelB = packB + jr * kc;
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int rows = Math.Min(mr, mc - ir);
                                float* panelA = packA + ir * kc;
                                float* target = pc + (long)(ic + ir) * n + jc + jr;
                                if (rows == mr && cols == nr)
                                {
                                    Tile(wide, kc, panelA, panelB, target, n, accumulate);
                                }
                                else
                                {
                                    // Edge tile: the full tile goes to scratch, its valid part to C.
                                    Tile(wide, kc, panelA, panelB, tile, nr, false);
                                    for (int r = 0; r < rows; r++)
                                    {
                                        var source = new ReadOnlySpan<float>(tile + r * nr, cols);
                                        var row = new Span<float>(target + (long)r * n, cols);
                                        if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(row, source, row);
                                        else source.CopyTo(row);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] Buffer(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    private static void Tile(bool wide, int kc, float* pa, float* pb, float* c, int ldc, bool accumulate)
    {
        if (wide) GemmMicroKernels.Tile8x32(kc, pa, pb, c, ldc, accumulate);
        else GemmMicroKernels.Tile6x16(kc, pa, pb, c, ldc, accumulate);
    }
}
