using System.Numerics;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Analysis;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.Kernels;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.Execution;

/// <summary>
/// The elementwise-fusion pass changes where values live, never what they are: every output and gradient of the
/// optimized graph is bit for bit the same with and without it, in float32 and float64, at sizes where the fused kernel
/// works on one piece, on many, and where a short last piece joins the one before it.
/// </summary>
public sealed class ElementwiseFusionEquivalenceTests
{
    public static TheoryData<string, string, int, int, bool, bool> Models()
    {
        var data = new TheoryData<string, string, int, int, bool, bool>();
        foreach (var row in TimeBatchingEquivalenceTests.Models())
        {
            string name = (string)row[0], yaml = (string)row[1];
            data.Add(name, yaml, 5, 3, (bool)row[2], (bool)row[3]);
        }
        static string Rnn(string cell, int hidden, string extra = "") =>
            $"model:\n  inputs:\n    x: {{ size: 7 }}\n  layers:\n    - rnn: {{ cell: {cell}, hidden: {hidden}{extra} }}\n    - dense: {{ units: 3 }}\n";
        // [B, 4H] = 19200 values: two pieces of the fused kernel (ChunkElements = 16384).
        data.Add("lstm, several pieces", Rnn("lstm", 300), 3, 16, true, false);
        // [B, H] in rows of 5: 3276 rows and then 2 rows (10 values), which join the piece before.
        data.Add("gru, short last piece joined", Rnn("gru", 5), 3, 3278, false, true);
        // Rows of 3: 5461 rows and then 1 row (3 values, below every vector width), joined likewise.
        data.Add("lstm, three-value last piece joined", Rnn("lstm", 3), 3, 5462, false, false);
        data.Add("rnn_relu bidirectional, pieces", Rnn("rnn_relu", 130, ", layers: 2, bidirectional: true"), 4, 129, false, false);
        data.Add("peephole lstm", "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: lstm, hidden: 40, peepholes: true }\n", 4, 60, true, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Outputs_and_gradients_are_bit_identical_with_and_without_fusion(string name, string yaml, int steps, int batch, bool states, bool masked)
    {
        var compilation = Compilation.Create(new SourceText(name + ".yaml", yaml));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics.Sorted()));
        var backward = compilation.Backward(compilation.Stage("unrolled", steps, states, masked));
        var plain = Optimize(backward, fusion: false);
        var fused = Optimize(backward, fusion: true);
        Assert.Contains(fused.Nodes, n => n.Op.Name == "fused");
        Assert.True(fused.Nodes.Count < plain.Nodes.Count, $"{name}: fusion left {fused.Nodes.Count} nodes of {plain.Nodes.Count}");

        AssertSame(name, Run<float>(plain, steps, batch), Run<float>(fused, steps, batch));
        AssertSame(name, Run<double>(plain, steps, batch), Run<double>(fused, steps, batch));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Fusion_keeps_the_flop_count(string name, string yaml, int steps, int batch, bool states, bool masked)
    {
        var compilation = Compilation.Create(new SourceText(name + ".yaml", yaml));
        var backward = compilation.Backward(compilation.Stage("unrolled", steps, states, masked));
        long Flops(Graph g) => g.Nodes.Sum(n => OpCost.Flops(n, batch));
        Assert.Equal(Flops(Optimize(backward, fusion: false)), Flops(Optimize(backward, fusion: true)));
    }

    [Theory]
    [InlineData(100, 5, 2048, 16, new[] { 0, 100 })]
    [InlineData(411, 5, 2048, 16, new[] { 0, 411 })]        // 409 rows, then 2 rows of 5: too short, joined
    [InlineData(412, 5, 2048, 16, new[] { 0, 412 })]        // 3 rows of 5 = 15 values: still short
    [InlineData(413, 5, 2048, 16, new[] { 0, 409, 413 })]   // 4 rows of 5 = 20 values: a piece of its own
    [InlineData(8, 1200, 2048, 16, new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData(32, 256, 2048, 16, new[] { 0, 8, 16, 24, 32 })]
    [InlineData(32, 1024, FusedKernel<float>.ChunkElements, 16, new[] { 0, 16, 32 })]
    [InlineData(3, 2, 2048, 16, new[] { 0, 3 })]
    public void Pieces_cover_the_rows_and_none_is_short(int rows, int width, int target, int minimum, int[] expected)
    {
        var chunks = FusedKernel<float>.Chunks(rows, width, target, minimum);
        Assert.Equal(expected, chunks);
        for (int c = 1; c < chunks.Length; c++)
            Assert.True((chunks[c] - chunks[c - 1]) * width >= minimum || chunks.Length == 2, $"piece {c} is short");
    }

    [Fact]
    public void A_fused_step_allocates_nothing_after_the_first_run()
    {
        var compilation = Compilation.Create(new SourceText("lstm.yaml",
            "model:\n  inputs:\n    x: { size: 7 }\n  layers:\n    - rnn: { cell: lstm, hidden: 300 }\n"));
        var graph = compilation.Stage("optimized", 4);
        var executor = Feed(new Executor<float>(graph, 16), graph, 16);
        executor.Run();
        Assert.Equal(0, Allocations.LeastOf(5, () =>
        {
            executor.Run();
            executor.Run();
        }));
    }

    private static void AssertSame<T>(string name, Dictionary<string, T[]> expected, Dictionary<string, T[]> actual) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, want) in expected)
        {
            var got = actual[key];
            for (int i = 0; i < want.Length; i++)
                Assert.True(want[i].Equals(got[i]), $"{name} ({typeof(T).Name}): {key}[{i}] = {got[i]} fused, {want[i]} unfused");
        }
    }

    private static Graph Optimize(Graph graph, bool fusion)
    {
        foreach (var pass in Compilation.OptimizingPasses(timeBatching: true, fusion: fusion))
        {
            graph = pass.Run(graph);
            GraphVerifier.Verify(graph);
        }
        return graph;
    }

    private static Dictionary<string, T[]> Run<T>(Graph graph, int steps, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var executor = Feed(new Executor<T>(graph, batch), graph, batch, steps);
        executor.Run();
        return graph.Outputs.ToDictionary(o => o.Key, o => executor.Output(o).ToArray());
    }

    /// <summary>Values drawn from each leaf's name, so both graphs see the same inputs; sequence b is steps - b long.</summary>
    private static Executor<T> Feed<T>(Executor<T> executor, Graph graph, int batch, int steps = 4) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var p in graph.Params) executor.SetParam(p.Attributes.Name!, Values<T>(p.Attributes.Name!, p.Shape.ElementCount(batch)));
        foreach (var x in graph.Inputs)
        {
            string key = $"{x.Attributes.Name}[{x.Attributes.Index}]";
            var values = Values<T>(key, x.Shape.ElementCount(batch));
            switch ((InputKind)x.Attributes.I0)
            {
                case InputKind.TokenIds:
                    for (int i = 0; i < values.Length; i++) values[i] = T.Abs(values[i]) < T.CreateChecked(0.5) ? T.Zero : T.One;
                    break;
                case InputKind.Mask:
                    for (int b = 0; b < values.Length; b++) values[b] = x.Attributes.Index < steps - b % steps ? T.One : T.Zero;
                    break;
            }
            executor.SetInput(x.Attributes.Name!, x.Attributes.Index, values);
        }
        return executor;
    }

    private static T[] Values<T>(string key, long count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 23;
        foreach (char c in key) seed = unchecked(seed * 31 + c);
        var rng = new Random(seed & 0x7fffffff);
        return Enumerable.Range(0, (int)count).Select(_ => T.CreateChecked(rng.NextDouble() * 4 - 2)).ToArray();
    }
}
