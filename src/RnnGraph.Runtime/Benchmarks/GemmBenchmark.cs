using System.Text.Json.Nodes;
using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Runtime.Benchmarks;

/// <summary>GFLOP/s of <see cref="MatMulKernel{T}.Multiply"/> in float32 on the shapes the recurrent layers use.</summary>
public static class GemmBenchmark
{
    /// <summary>C[m,n] = op(A) op(B): "NT" is A [m,k] times B [n,k] transposed; "TN" is A [k,m] transposed times B [k,n].</summary>
    /// <remarks>
    /// The square 512³ and the skinny 32×256×1024 in all four transpose variants (the targets of the performance
    /// work), then the recurrent layers' own products: a step's recurrent projection at B=32, H=256 (NT), a time-batched
    /// input projection (NN) and the batch-1 matrix–vector product of the latency case.
    /// </remarks>
    public static readonly (int M, int N, int K, string Variant)[] Shapes =
    [
        (512, 512, 512, "NN"),
        (512, 512, 512, "NT"),
        (512, 512, 512, "TN"),
        (512, 512, 512, "TT"),
        (32, 256, 1024, "NN"),
        (32, 256, 1024, "NT"),
        (32, 256, 1024, "TN"),
        (32, 256, 1024, "TT"),
        (32, 1024, 256, "NT"),
        (3200, 1024, 128, "NT"),
        (1, 1024, 256, "NT"),
    ];

    public static JsonArray Run(int repeat, double minSeconds)
    {
        var results = new JsonArray();
        var random = new Random(1);
        foreach (var (m, n, k, variant) in Shapes)
        {
            var a = RandomArray(random, m * k);
            var b = RandomArray(random, k * n);
            var c = new float[m * n];
            bool ta = variant[0] == 'T', tb = variant[1] == 'T';
            void Multiply() => MatMulKernel<float>.Multiply(a, b, c, m, n, k, ta, tb);

            // Enough calls per timed run to last minSeconds, so short products are not timer noise.
            var once = Timing.Measure(Multiply, 2, 1)[0];
            int calls = Math.Max(1, (int)Math.Ceiling(minSeconds * 1000 / Math.Max(once, 1e-3)));
            var times = Timing.Measure(() => { for (int i = 0; i < calls; i++) Multiply(); }, 1, repeat)
                .Select(t => t / calls).ToArray();
            double median = Timing.Median(times);
            results.Add(new JsonObject
            {
                ["shape"] = $"{m}x{n}x{k} {variant}",
                ["m"] = m,
                ["n"] = n,
                ["k"] = k,
                ["variant"] = variant,
                ["median_ms"] = Math.Round(median, 4),
                ["gflops"] = Math.Round(2.0 * m * n * k / (median * 1e6), 2),
            });
        }
        return results;
    }

    private static float[] RandomArray(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
