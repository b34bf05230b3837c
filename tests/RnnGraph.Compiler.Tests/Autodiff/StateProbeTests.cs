using RnnGraph.Compiler.Autodiff;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Tests.Autodiff;

/// <summary>UnrollOptions.StateProbes: one differentiable [B,H] input per layer, stacked index, direction and step, and nothing when off.</summary>
public sealed class StateProbeTests
{
    private static Compilation Compile() =>
        Compilation.Create(new SourceText("probe.yaml",
            "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: lstm, hidden: 2, layers: 2, bidirectional: true }\n    - dense: { units: 4 }\n"));

    [Fact]
    public void Every_step_of_every_layer_and_direction_gets_a_probe_whose_gradient_comes_out()
    {
        var c = Compile();
        Assert.False(c.HasErrors);
        var forward = c.Unroll(new UnrollOptions(3, Masked: true) { StateProbes = true });
        var probes = forward.Inputs.Where(n => StateProbes.IsProbe(n.Attributes.Name)).Select(n => $"{n.Attributes.Name}[{n.Attributes.Index}]").Order(StringComparer.Ordinal);
        string[] expected = ["probe.rnn.l0.reverse", "probe.rnn.l0", "probe.rnn.l1.reverse", "probe.rnn.l1"];
        Assert.Equal(expected.SelectMany(n => Enumerable.Range(0, 3).Select(t => $"{n}[{t}]")).Order(StringComparer.Ordinal), probes);
        Assert.All(forward.Inputs.Where(n => StateProbes.IsProbe(n.Attributes.Name)), n =>
        {
            Assert.Equal(new Shape(Shape.Batch, 2), n.Shape);
            Assert.True(AutodiffPass.IsDifferentiableLeaf(n));
        });

        var backward = c.Backward(forward);
        Assert.Equal(12, backward.Outputs.Count(o => o.Name.StartsWith("grad.probe.", StringComparison.Ordinal)));
    }

    [Fact]
    public void Without_the_flag_the_graph_has_no_probes() =>
        Assert.DoesNotContain(Compile().Unroll(new UnrollOptions(3)).Inputs, n => StateProbes.IsProbe(n.Attributes.Name));
}
