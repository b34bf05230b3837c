using System.Numerics;
using RnnGraph.Compiler.IR;
using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Runtime.Tests.Ops;

/// <summary>The matmul kernel against a naive triple loop in double, for all four transpose variants.</summary>
public sealed class MatMulKernelTests
{
    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    /// <summary>C[m,n] = op(A) op(B) in double; A stored [m,k] or [k,m] (transposed), B stored [k,n] or [n,k].</summary>
    private static double[] Reference(double[] a, double[] b, int m, int n, int k, bool ta, bool tb)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = sum;
            }
        return c;
    }

    private static double[] Random(Random rng, int count) => Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

    /// <summary>Every m, n, k in 1..17 (odd sizes and the remainders of any vector width), in T, compared with the double reference.</summary>
    private static void Sweep<T>(bool ta, bool tb, double tolerancePerTerm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(5);
        var a = Random(rng, 17 * 17);
        var b = Random(rng, 17 * 17);
        var at = SingleOpGraph.Cast<T>(a);
        var bt = SingleOpGraph.Cast<T>(b);
        var c = new T[17 * 17];
        // The reference sees exactly the values the kernel sees (rounded to T).
        var ad = at.Select(double.CreateChecked).ToArray();
        var bd = bt.Select(double.CreateChecked).ToArray();
        for (int m = 1; m <= 17; m++)
            for (int n = 1; n <= 17; n++)
                for (int k = 1; k <= 17; k++)
                {
                    MatMulKernel<T>.Multiply(at, bt, c, m, n, k, ta, tb);
                    var expected = Reference(ad, bd, m, n, k, ta, tb);
                    for (int i = 0; i < m * n; i++)
                    {
                        double got = double.CreateChecked(c[i]);
                        if (Math.Abs(got - expected[i]) > tolerancePerTerm * k)
                            Assert.Fail($"{typeof(T).Name} m={m} n={n} k={k} transA={ta} transB={tb}: C[{i / n},{i % n}] = {got:R}, reference {expected[i]:R}");
                    }
                }
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Double_kernel_matches_the_reference_for_all_sizes_up_to_17(bool ta, bool tb) => Sweep<double>(ta, tb, 1e-15);

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Float_kernel_matches_the_reference_for_all_sizes_up_to_17(bool ta, bool tb) => Sweep<float>(ta, tb, 2e-7);

    /// <summary>Through the executor: the kernel entry reads m, n, k from the node's resolved shapes, with the batch as m or k.</summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void The_executor_resolves_the_batch_dimension_for_every_variant(bool ta, bool tb)
    {
        foreach (int batch in new[] { 1, 5, 16 })
            foreach (int other in new[] { 1, 7, 17 })
            {
                // op(A) is [batch, other] and op(B) is [other, 3]: A has the batch dimension.
                var aShape = ta ? new Shape(other, Shape.Batch) : new Shape(Shape.Batch, other);
                var bShape = tb ? new Shape(3, other) : new Shape(other, 3);
                var graph = SingleOpGraph.Build("matmul", new OpAttributes(I0: ta ? 1 : 0, I1: tb ? 1 : 0), [new Operand(aShape), new Operand(bShape)]);
                var rng = new Random(batch * 100 + other);
                var a = Random(rng, batch * other);
                var b = Random(rng, other * 3);
                var got = SingleOpGraph.Run<double>(graph, batch, [a, b]);
                var expected = Reference(a, b, batch, 3, other, ta, tb);
                Assert.Equal(expected.Length, got.Length);
                for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - expected[i]) <= 1e-14, $"B={batch} k={other}: [{i}] {got[i]} vs {expected[i]}");
            }
    }
}
