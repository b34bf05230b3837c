using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGraph.Runtime.Kernels;

/// <summary>
/// Copies a block of op(A) or op(B) into the panel layout the micro-kernels read: A as MR-row panels with the
/// MR values of one k step adjacent, B as NR-column panels with the NR values of one k step adjacent. Rows or
/// columns past the matrix edge are zero, so edge tiles run the same kernel. The transpose flags only change
/// which side of the copy is contiguous.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Rows ic..ic+mc, depth pc..pc+kc of op(A) (A is [m,k], or [k,m] when transposed).</summary>
    public static void PackA(float* a, int m, int k, bool ta, int ic, int mc, int pc, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr, dst += mr * kc)
        {
            int rows = Math.Min(mr, mc - ir);
            if (ta)
            {
                // Row p of A holds column p of op(A): the panel's rows are contiguous there.
                float* src = a + (long)pc * m + ic + ir;
                if (rows == 8 && mr == 8)
                {
                    // A full AVX-512 panel: each k step is one 8-float row piece.
                    for (int p = 0; p < kc; p++, src += m) Vector256.Load(src).Store(dst + p * 8);
                    continue;
                }
                for (int p = 0; p < kc; p++, src += m)
                {
                    float* d = dst + p * mr;
                    int r = 0;
                    for (; r < rows; r++) d[r] = src[r];
                    for (; r < mr; r++) d[r] = 0;
                }
            }
            else
            {
                Transpose(a + (long)(ic + ir) * k + pc, k, rows, kc, dst, mr);
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) dst[p * mr + r] = 0;
            }
        }
    }

    /// <summary>Depth pc..pc+kc, columns jc..jc+nc of op(B) (B is [k,n], or [n,k] when transposed).</summary>
    public static void PackB(float* b, int n, int k, bool tb, int jc, int nc, int pc, int kc, int nr, float* dst)
    {
        if (!tb)
        {
            // A few panels at a time, row by row of B: short contiguous reads, and few enough write streams
            // (panels lie nr*kc floats apart, a power of two) that they do not evict each other from L1.
            const int group = 4;
            for (int j0 = 0; j0 < nc; j0 += group * nr)
            {
                int width = Math.Min(group * nr, nc - j0);
                int full = width / nr * nr;
                float* src = b + (long)pc * n + jc + j0;
                float* panels = dst + (long)(j0 / nr) * nr * kc;
                for (int p = 0; p < kc; p++, src += n)
                {
                    float* d = panels + p * nr;
                    for (int jr = 0; jr < full; jr += nr, d += nr * kc)
                        for (int j = 0; j < nr; j += 8) Vector256.Load(src + jr + j).Store(d + j);
                    if (full < width)
                    {
                        int j = 0;
                        for (; j < width - full; j++) d[j] = src[full + j];
                        for (; j < nr; j++) d[j] = 0;
                    }
                }
            }
            return;
        }
        for (int jr = 0; jr < nc; jr += nr, dst += nr * kc)
        {
            int cols = Math.Min(nr, nc - jr);
            Transpose(b + (long)(jc + jr) * k + pc, k, cols, kc, dst, nr);
            for (int j = cols; j < nr; j++)
                for (int p = 0; p < kc; p++) dst[p * nr + j] = 0;
        }
    }

    /// <summary>dst[q * dstStride + r] = src[r * srcStride + q] for r &lt; rows, q &lt; length; 8×8 blocks in AVX registers.</summary>
    private static void Transpose(float* src, int srcStride, int rows, int length, float* dst, int dstStride)
    {
        int r0 = 0;
        if (Avx.IsSupported)
        {
            for (; r0 + 8 <= rows; r0 += 8)
            {
                int q0 = 0;
                for (; q0 + 8 <= length; q0 += 8) Transpose8x8(src + (long)r0 * srcStride + q0, srcStride, dst + (long)q0 * dstStride + r0, dstStride);
                for (int r = r0; r < r0 + 8; r++)
                    for (int q = q0; q < length; q++) dst[(long)q * dstStride + r] = src[(long)r * srcStride + q];
            }
        }
        for (int r = r0; r < rows; r++)
        {
            float* s = src + (long)r * srcStride;
            float* d = dst + r;
            for (int q = 0; q < length; q++) d[(long)q * dstStride] = s[q];
        }
    }

    private static void Transpose8x8(float* src, int srcStride, float* dst, int dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }
}
