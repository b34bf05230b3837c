using System.Numerics;
using System.Runtime.Intrinsics.X86;
using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Runtime.Tests.Kernels;

/// <summary>
/// The packed GEMM (each micro-kernel the machine can run) and the dispatching matmul entry against a naive
/// double-precision triple loop, for all four transpose variants, over edge-tile sizes and shapes that cross
/// the KC/MC/NC block boundaries.
/// </summary>
public sealed class PackedGemmTests
{
    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    /// <summary>Around every tile width (6, 8, 16, 32), primes, and up to 70.</summary>
    private static readonly int[] Sizes = [1, 2, 3, 5, 6, 7, 8, 9, 13, 16, 17, 31, 32, 33, 47, 64, 67, 70];

    /// <summary>Fewer sizes for the entry, whose paths the sweep above already covers tile by tile.</summary>
    private static readonly int[] EntrySizes = [1, 2, 3, 5, 8, 17, 33, 70];

    /// <summary>Shapes past KC = 256, MC = 192 and NC = 1024, with ragged edges.</summary>
    private static readonly (int M, int N, int K)[] LargeShapes = [(193, 1057, 263), (200, 40, 600)];

    /// <summary>The micro-kernels this machine can run: AVX-512 (wide) and AVX2/FMA.</summary>
    private static IEnumerable<bool> Kernels()
    {
        if (Avx512F.IsSupported) yield return true;
        if (Avx2.IsSupported && Fma.IsSupported) yield return false;
    }

    /// <summary>C = op(A) op(B) in double, and the sum of |terms| that bounds the rounding error of each entry.</summary>
    private static (double[] C, double[] Magnitude) Reference(double[] a, double[] b, int m, int n, int k, bool ta, bool tb)
    {
        var c = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                    sum += term;
                    abs += Math.Abs(term);
                }
                c[i * n + j] = sum;
                magnitude[i * n + j] = abs;
            }
        return (c, magnitude);
    }

    private static double[] Random(Random rng, int count) => Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

    private static T[] Cast<T>(double[] values) where T : INumberBase<T> => values.Select(T.CreateTruncating).ToArray();

    private static double[] ToDouble<T>(T[] values) where T : INumberBase<T> => values.Select(double.CreateChecked).ToArray();

    /// <summary>Runs <paramref name="multiply"/> on C filled with NaN (every entry must be written) and checks it.</summary>
    private static void Check<T>(Action<T[], T[], T[]> multiply, Random rng, int m, int n, int k, bool ta, bool tb, double relative, string label)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Cast<T>(Random(rng, m * k));
        var b = Cast<T>(Random(rng, k * n));
        var c = Enumerable.Repeat(T.NaN, m * n).ToArray();
        multiply(a, b, c);
        // The reference sees exactly the values the kernel sees (rounded to T).
        var (expected, magnitude) = Reference(ToDouble(a), ToDouble(b), m, n, k, ta, tb);
        for (int i = 0; i < m * n; i++)
        {
            double got = double.CreateChecked(c[i]);
            if (!(Math.Abs(got - expected[i]) <= relative * magnitude[i] + 1e-30))
                Assert.Fail($"{label} {typeof(T).Name} m={m} n={n} k={k} transA={ta} transB={tb}: C[{i / n},{i % n}] = {got:R}, reference {expected[i]:R}");
        }
    }

    private static void Sweep(int[] sizes, Action<int, int, int> check)
    {
        foreach (int m in sizes)
            foreach (int n in sizes)
                foreach (int k in sizes)
                    check(m, n, k);
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Packed_kernels_match_the_reference_for_small_and_ragged_shapes(bool ta, bool tb)
    {
        var rng = new Random(11);
        foreach (bool wide in Kernels())
            Sweep(Sizes, (m, n, k) => Check<float>((a, b, c) => PackedGemm.Multiply(a, b, c, m, n, k, ta, tb, wide), rng, m, n, k, ta, tb, 1e-5, wide ? "avx512" : "avx2"));
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Packed_kernels_match_the_reference_across_cache_blocks(bool ta, bool tb)
    {
        var rng = new Random(12);
        foreach (bool wide in Kernels())
            foreach (var (m, n, k) in LargeShapes)
                Check<float>((a, b, c) => PackedGemm.Multiply(a, b, c, m, n, k, ta, tb, wide), rng, m, n, k, ta, tb, 1e-5, wide ? "avx512" : "avx2");
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Matmul_entry_matches_the_reference_in_float_and_double(bool ta, bool tb)
    {
        var rng = new Random(13);
        Sweep(EntrySizes, (m, n, k) =>
        {
            Check<float>((a, b, c) => MatMulKernel<float>.Multiply(a, b, c, m, n, k, ta, tb), rng, m, n, k, ta, tb, 1e-5, "entry");
            Check<double>((a, b, c) => MatMulKernel<double>.Multiply(a, b, c, m, n, k, ta, tb), rng, m, n, k, ta, tb, 1e-13, "entry");
        });
        foreach (var (m, n, k) in new[] { (256, 1024, 512) })
            Check<float>((a, b, c) => MatMulKernel<float>.Multiply(a, b, c, m, n, k, ta, tb), rng, m, n, k, ta, tb, 1e-5, "entry");
        // The batch-1 and batch-2 rows that stay on the direct path, and k = 0 (C is all zero).
        foreach (var (m, n, k) in new[] { (1, 1024, 256), (2, 300, 70), (3, 64, 2), (5, 9, 0) })
            Check<float>((a, b, c) => MatMulKernel<float>.Multiply(a, b, c, m, n, k, ta, tb), rng, m, n, k, ta, tb, 1e-5, "entry");
    }

    /// <summary>Every combination of the odd sizes 1, 7, 33 and 257 (past every vector width and tile), each kernel and the entry.</summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void Odd_shapes_match_the_reference(bool ta, bool tb)
    {
        var rng = new Random(15);
        int[] sizes = [1, 7, 33, 257];
        Sweep(sizes, (m, n, k) =>
        {
            foreach (bool wide in Kernels())
                Check<float>((a, b, c) => PackedGemm.Multiply(a, b, c, m, n, k, ta, tb, wide), rng, m, n, k, ta, tb, 1e-5, wide ? "avx512" : "avx2");
            Check<float>((a, b, c) => MatMulKernel<float>.Multiply(a, b, c, m, n, k, ta, tb), rng, m, n, k, ta, tb, 1e-5, "entry");
            if (m <= 2) Check<float>((a, b, c) => MatMulKernel<float>.MultiplyRows(a, b, c, m, n, k, ta, tb), rng, m, n, k, ta, tb, 1e-5, "rows");
        });
    }

    /// <summary>
    /// The matrix–vector kernels (batch 1 and 2) for every length 0..256 along the vector dimension, each against the
    /// reference: k for the dot products (vector loop and scalar tail), n for the row combinations (64-, 16- and 8-wide
    /// blocks and the scalar tail), with a ragged count of the other dimension.
    /// </summary>
    [Fact]
    public void Vector_row_products_match_the_reference_for_every_length_to_256()
    {
        var rng = new Random(16);
        foreach (int bits in new[] { 512, 256, 0 }.Where(b => b <= GemvKernels.NativeBits))
        {
            for (int length = 0; length <= 256; length++)
            {
                int k = length, n = 5;
                Check<float>((x, w, y) => GemvKernels.DotRows(x, w, y, n, k, bits), rng, 1, n, k, false, true, 1e-5, $"dot rows {bits}");
                (k, n) = (3, length);
                Check<float>((x, w, y) => GemvKernels.CombineRows(x, w, y, n, k, bits), rng, 1, n, k, false, false, 1e-5, $"combine rows {bits}");
                (k, n) = (length, 70);
                Check<float>((x, w, y) => GemvKernels.CombineRows(x, w, y, n, k, bits), rng, 1, n, k, false, false, 1e-5, $"combine rows {bits}");
            }
        }
        // Batch 2 and a transposed left operand (its column gathered first) through the entry's row path.
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            foreach (int length in new[] { 0, 1, 15, 16, 17, 64, 65, 256 })
                Check<float>((a, b, c) => MatMulKernel<float>.MultiplyRows(a, b, c, 2, length + 3, length, ta, tb), rng, 2, length + 3, length, ta, tb, 1e-5, "rows");
    }

    [Fact]
    public void Vector_row_products_do_not_allocate()
    {
        var x = new float[2 * 300];
        var w = new float[300 * 1100];
        var y = new float[2 * 1100];
        void All()
        {
            for (int variant = 0; variant < 4; variant++) MatMulKernel<float>.Multiply(x, w, y, 2, 1100, 300, variant >= 2, variant % 2 == 1);
        }
        All();
        long before = GC.GetAllocatedBytesForCurrentThread();
        All();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    /// <summary>
    /// A right operand packed beforehand (a weight packed once per run) gives bit for bit the product that packs it
    /// itself: same blocks, same micro-kernel, same order; across the KC and NC block edges.
    /// </summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void A_prepacked_right_operand_gives_the_same_product(bool ta, bool tb)
    {
        if (!PackedGemm.IsSupported) return;
        var rng = new Random(17);
        foreach (var (m, n, k) in new[] { (32, 1024, 256), (9, 1057, 263), (64, 40, 600), (193, 33, 7) })
        {
            var a = Cast<float>(Random(rng, m * k));
            var b = Cast<float>(Random(rng, k * n));
            var expected = new float[m * n];
            PackedGemm.Multiply(a, b, expected, m, n, k, ta, tb);
            var operand = new PackedOperand(0, n, k, tb);
            operand.Pack(b);
            var actual = Enumerable.Repeat(float.NaN, m * n).ToArray();
            PackedGemm.Multiply(a, b, actual, m, n, k, ta, tb, operand);
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>Split into column slices on two threads (even where the threshold would not split): same results.</summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void Column_slices_on_two_threads_match_the_reference(bool ta, bool tb)
    {
        var rng = new Random(14);
        foreach (bool wide in Kernels())
            foreach (var (m, n, k) in new[] { (3, 130, 5), (17, 257, 33), (40, 1100, 300), (200, 64, 70), (5, 20, 3) })
                Check<float>((a, b, c) => PackedGemm.Multiply(a, b, c, m, n, k, ta, tb, wide, parts: 2), rng, m, n, k, ta, tb, 1e-5, wide ? "avx512 x2" : "avx2 x2");
    }

    [Fact]
    public void Packed_product_does_not_allocate_once_its_buffers_exist()
    {
        if (!PackedGemm.IsSupported) return;
        const int m = 64, n = 1100, k = 300;
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        MatMulKernel<float>.Multiply(a, b, c, m, n, k, false, true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        MatMulKernel<float>.Multiply(a, b, c, m, n, k, false, true);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
