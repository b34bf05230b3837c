using RnnGraph.Compiler;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Tests.Execution;

/// <summary>
/// The time-batching pass changes how the products are grouped, never their values: every output and every
/// gradient of the optimized graph is the same (1e-5 relative, float64) with and without it, and the pass
/// finds one stacked product per layer-direction for the input projection and one per weight gradient.
/// </summary>
public sealed class TimeBatchingEquivalenceTests
{
    private const int Steps = 5, Batch = 3;

    public static TheoryData<string, string, bool, bool> Models() => new()
    {
        { "lstm", "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: lstm, hidden: 4 }\n    - dense: { units: 2 }\n", false, false },
        { "gru bidirectional 2 layers", "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 4, layers: 2, bidirectional: true }\n", true, false },
        { "rnn with lengths", "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: rnn_tanh, hidden: 4, layers: 2 }\n    - dense: { units: 2, activation: softmax }\n", true, true },
        { "many-to-one", "model:\n  topology: many-to-one\n  pooling: mean\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: lstm, hidden: 4, bidirectional: true }\n    - dense: { units: 2 }\n", false, true },
        { "one-to-many embed", "model:\n  topology: one-to-many\n  condition: first-step\n  inputs:\n    x: { size: 3 }\n  layers:\n    - embed: { dim: 3 }\n    - rnn: { cell: gru, hidden: 4 }\n    - dense: { units: 5 }\n", false, false },
        { "embed tokens", "model:\n  inputs:\n    x: { vocab: 7 }\n  layers:\n    - embed: { dim: 3 }\n    - rnn: { cell: lstm, hidden: 4, layers: 2 }\n    - dense: { units: 2 }\n", true, false },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Outputs_and_gradients_are_the_same_with_and_without_the_pass(string name, string yaml, bool states, bool masked)
    {
        var compilation = Compile(name, yaml);
        var backward = compilation.Backward(compilation.Stage("unrolled", Steps, states, masked));
        var plain = Optimize(backward, timeBatching: false);
        var batched = Optimize(backward, timeBatching: true);
        Assert.True(batched.Nodes.Count(n => n.Op.Name == "matmul") < plain.Nodes.Count(n => n.Op.Name == "matmul"), "nothing was batched");

        var expected = Run(plain);
        var actual = Run(batched);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, want) in expected)
        {
            var got = actual[key];
            double scale = want.Max(Math.Abs);
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(got[i] - want[i]) <= 1e-5 * Math.Max(scale, 1e-3), $"{name}: {key}[{i}] = {got[i]}, without the pass {want[i]}");
        }
    }

    [Theory]
    [InlineData("lstm", 1, 1)]
    [InlineData("gru", 2, 2)]
    [InlineData("rnn_tanh", 3, 1)]
    public void One_stacked_product_per_layer_direction_and_per_weight_gradient(string cell, int layers, int directions)
    {
        string yaml = $"model:\n  inputs:\n    x: {{ size: 3 }}\n  layers:\n    - rnn: {{ cell: {cell}, hidden: 4, layers: {layers}, bidirectional: {(directions == 2 ? "true" : "false")} }}\n";
        var compilation = Compile(cell, yaml);
        var graph = compilation.Stage("optimized", Steps);
        int layerDirections = layers * directions;

        var inputWeights = graph.Params.Where(p => p.Attributes.Name!.Contains(".weight_ih_", StringComparison.Ordinal)).ToList();
        Assert.Equal(layerDirections, inputWeights.Count);
        foreach (var w in inputWeights)
        {
            var projections = graph.Nodes.Where(n => n.Op.Name == "matmul" && n.Inputs[1] == w && n.Attributes.I1 == 1).ToList();
            var stacked = Assert.Single(projections);
            Assert.Equal("concat_rows", stacked.Inputs[0].Op.Name);
            Assert.Equal(new Shape(Shape.BatchMultiple(Steps), w.Shape[1]), stacked.Inputs[0].Shape);
        }
        foreach (var output in graph.Outputs.Where(o => o.Name.StartsWith("grad.rnn.weight_", StringComparison.Ordinal)))
        {
            var product = output.Node;
            Assert.Equal("matmul", product.Op.Name);
            Assert.Equal(1, product.Attributes.I0);
            Assert.All(product.Inputs, i => Assert.Equal("concat_rows", i.Op.Name));
        }
        // The recurrent products stay one per step (t=0 multiplies the zero initial state and is gone).
        Assert.Equal(layerDirections * (Steps - 1) * 2,
            graph.Nodes.Count(n => n.Op.Name == "matmul" && n.Inputs.Any(i => i.Op.Name == "param" && i.Attributes.Name!.Contains(".weight_hh_", StringComparison.Ordinal))));
        Assert.Equal(2 * layerDirections * 2 + 2 * (Steps - 1) * layerDirections, graph.Nodes.Count(n => n.Op.Name == "matmul"));
    }

    [Fact]
    public void The_pass_is_named_and_verified()
    {
        var compilation = Compile("lstm", "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: lstm, hidden: 4 }\n");
        var passes = Compilation.OptimizingPasses();
        Assert.Equal(["simplify", "cse", "time-batching", "elementwise-fusion", "dce"], passes.Select(p => p.Name));
        var batched = new TimeBatchingPass().Run(compilation.Backward(compilation.Stage("unrolled", Steps)));
        Assert.Equal("time-batching", batched.Stage);
        GraphVerifier.Verify(batched);
    }

    private static Compilation Compile(string name, string yaml)
    {
        var compilation = Compilation.Create(new SourceText(name + ".yaml", yaml));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics.Sorted()));
        return compilation;
    }

    private static Graph Optimize(Graph graph, bool timeBatching)
    {
        foreach (var pass in Compilation.OptimizingPasses(timeBatching))
        {
            graph = pass.Run(graph);
            GraphVerifier.Verify(graph);
        }
        return graph;
    }

    /// <summary>Runs the graph on values drawn from each leaf's name, so both graphs see the same inputs.</summary>
    private static Dictionary<string, double[]> Run(Graph graph)
    {
        var executor = new Executor<double>(graph, Batch);
        foreach (var p in graph.Params) executor.SetParam(p.Attributes.Name!, Values(p.Attributes.Name!, p.Shape.ElementCount(Batch)));
        foreach (var x in graph.Inputs)
        {
            string key = $"{x.Attributes.Name}[{x.Attributes.Index}]";
            var values = Values(key, x.Shape.ElementCount(Batch));
            switch ((InputKind)x.Attributes.I0)
            {
                case InputKind.TokenIds:
                    for (int i = 0; i < values.Length; i++) values[i] = Math.Abs(values[i]) < 0.5 ? 0 : 1;
                    break;
                case InputKind.Mask:
                    // Sequence b is Steps - b steps long.
                    for (int b = 0; b < values.Length; b++) values[b] = x.Attributes.Index < Steps - b ? 1 : 0;
                    break;
            }
            executor.SetInput(x.Attributes.Name!, x.Attributes.Index, values);
        }
        executor.Run();
        return graph.Outputs.ToDictionary(o => o.Key, o => executor.Output(o).ToArray());
    }

    private static double[] Values(string key, long count)
    {
        int seed = 17;
        foreach (char c in key) seed = unchecked(seed * 31 + c);
        var rng = new Random(seed & 0x7fffffff);
        return Enumerable.Range(0, (int)count).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }
}
