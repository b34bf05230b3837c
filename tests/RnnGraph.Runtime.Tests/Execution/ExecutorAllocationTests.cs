using RnnGraph.Compiler;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Execution;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.Execution;

/// <summary>The executor plans its buffers once: running a planned graph again allocates nothing.</summary>
public sealed class ExecutorAllocationTests
{
    [Fact]
    public void The_measure_sees_an_allocation_made_every_run_and_nothing_else()
    {
        byte[]? kept = null;
        Assert.True(Allocations.LeastOf(3, () => kept = new byte[1000]) >= 1000);
        Assert.NotNull(kept);
        Assert.Equal(0, Allocations.LeastOf(3, () => { }));
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void A_second_run_of_forward_and_backward_allocates_no_memory(string cell)
    {
        var compilation = Compilation.Create(new SourceText("a.yaml",
            $"model:\n  inputs:\n    x: {{ size: 3 }}\n  layers:\n    - rnn: {{ cell: {cell}, hidden: 4, bidirectional: true }}\n    - dense: {{ units: 2, activation: softmax }}\n"));
        var graph = compilation.Optimize(compilation.Backward(compilation.Unroll(new UnrollOptions(5))));
        var executor = new Executor<float>(graph, batch: 3);
        var random = new Random(1);
        foreach (var node in graph.Params.Concat(graph.Inputs))
        {
            var values = new float[node.Shape.ElementCount(3)];
            for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble() - 0.5f;
            if (node.Op.Name == "param") executor.SetParam(node.Attributes.Name!, values);
            else executor.SetInput(node.Attributes.Name!, node.Attributes.Index, values);
        }
        executor.Run();
        float first = executor.Output("grad.rnn.weight_hh_l0").ToArray().Sum();

        Assert.Equal(0, Allocations.LeastOf(5, executor.Run));
        Assert.Equal(first, executor.Output("grad.rnn.weight_hh_l0").ToArray().Sum());
    }

    /// <summary>
    /// The recurrent weight is read by a product at every step, forward (transposed) and backward: each transpose is
    /// packed once per run, and a weight changed between runs is packed again (the gradients follow the new weight).
    /// </summary>
    [Fact]
    public void Recurrent_weights_are_packed_once_per_run_and_repacked_when_they_change()
    {
        var compilation = Compilation.Create(new SourceText("a.yaml",
            "model:\n  inputs:\n    x: { size: 16 }\n  layers:\n    - rnn: { cell: lstm, hidden: 32 }\n    - dense: { units: 2 }\n"));
        var graph = compilation.Optimize(compilation.Backward(compilation.Unroll(new UnrollOptions(6))));
        var packed = new Executor<float>(graph, batch: 8);
        if (!RnnGraph.Runtime.Kernels.PackedGemm.IsSupported) return;
        Assert.Equal([("rnn.weight_hh_l0", false), ("rnn.weight_hh_l0", true)],
            packed.PackedWeights.Select(p => (graph.Nodes[p.Slot].Attributes.Name, p.Transposed)).Order());

        // The same products without packing ahead: a float64 executor takes no packed path at all.
        var reference = new Executor<double>(graph, batch: 8);
        var random = new Random(3);
        var values = graph.Params.Concat(graph.Inputs).ToDictionary(n => n, n => Enumerable.Range(0, (int)n.Shape.ElementCount(8)).Select(_ => random.NextDouble() - 0.5).ToArray());
        for (int run = 0; run < 2; run++)
        {
            if (run == 1)
                foreach (var w in values.Where(v => v.Key.Attributes.Name == "rnn.weight_hh_l0")) for (int i = 0; i < w.Value.Length; i++) w.Value[i] *= -1.5;
            foreach (var (node, v) in values)
            {
                if (node.Op.Name == "param")
                {
                    packed.SetParam(node.Attributes.Name!, v.Select(x => (float)x).ToArray());
                    reference.SetParam(node.Attributes.Name!, v);
                }
                else
                {
                    packed.SetInput(node.Attributes.Name!, node.Attributes.Index, v.Select(x => (float)x).ToArray());
                    reference.SetInput(node.Attributes.Name!, node.Attributes.Index, v);
                }
            }
            packed.Run();
            reference.Run();
            var got = packed.Output("grad.rnn.weight_ih_l0").ToArray();
            var want = reference.Output("grad.rnn.weight_ih_l0").ToArray();
            for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - want[i]) <= 1e-4 * (1 + Math.Abs(want[i])), $"run {run}: [{i}] {got[i]} vs {want[i]}");
        }
    }
}
