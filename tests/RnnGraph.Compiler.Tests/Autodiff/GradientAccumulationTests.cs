using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Tests.Autodiff;

/// <summary>
/// A weight shared by all unrolled steps gets the sum of its per-step gradients: an add-chain whose
/// terms are the per-step products (checked on the structure; the runtime's gradient checks check the values).
/// </summary>
public sealed class GradientAccumulationTests
{
    private static List<Node> AddChainTerms(Node node)
    {
        if (node.Op.Name != "add") return [node];
        return AddChainTerms(node.Inputs[0]).Concat(AddChainTerms(node.Inputs[1])).ToList();
    }

    private static Node Output(Graph graph, string key) => graph.Outputs.Single(o => o.Key == key).Node;

    private static Node Forward(Graph graph, string op, int step) => graph.Nodes.Single(n => n.Op.Name == op && n.Origin.Step == step && !n.Origin.Label!.StartsWith('d'));

    [Fact]
    public void The_recurrent_weight_gradient_sums_one_product_per_step()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("rnn_tanh"), "backward");
        var grad = Output(graph, "grad.rnn.weight_hh_l0");
        Assert.Equal("add", grad.Op.Name);

        var terms = AddChainTerms(grad);
        Assert.Equal(3, terms.Count);
        Assert.All(terms, t => Assert.Equal("matmul", t.Op.Name));
        Assert.All(terms, t => Assert.Equal(1, t.Attributes.I0));      // dG_t^T @ h_{t-1}
        Assert.Equal([2, 1, 0], terms.Select(t => t.Origin.Step));   // reverse order of the backward walk
        Assert.Equal(Forward(graph, "tanh", 1), terms[0].Inputs[1]);
        Assert.Equal(Forward(graph, "tanh", 0), terms[1].Inputs[1]);
        Assert.Equal("zeros", terms[2].Inputs[1].Op.Name);          // h_{-1}
    }

    [Fact]
    public void The_input_weight_gradient_sums_the_products_with_every_input_step()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("rnn_tanh"), "backward");
        var terms = AddChainTerms(Output(graph, "grad.rnn.weight_ih_l0"));
        Assert.Equal(["x[2]", "x[1]", "x[0]"], terms.Select(t => $"{t.Inputs[1].Attributes.Name}[{t.Inputs[1].Attributes.Index}]"));
    }

    [Fact]
    public void Bias_gradients_sum_the_per_step_gradients_reduced_over_the_batch()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("rnn_tanh"), "backward");
        var terms = AddChainTerms(Output(graph, "grad.rnn.bias_hh_l0"));
        Assert.Equal(3, terms.Count);
        Assert.All(terms, t => Assert.Equal(("sum_to", new Shape(2)), (t.Op.Name, t.Shape)));
        // bias_ih and bias_hh enter the same sum, so their gradients are one node.
        Assert.Same(Output(graph, "grad.rnn.bias_hh_l0"), Output(graph, "grad.rnn.bias_ih_l0"));
    }

    [Fact]
    public void Optimizing_drops_the_term_of_the_zero_initial_state()
    {
        var compilation = TestSpecs.CompileCell("rnn_tanh");
        compilation.TimeBatching = false; // the per-step terms, before time batching stacks them into one product
        var graph = TestSpecs.Stage(compilation, "optimized");
        var terms = AddChainTerms(Output(graph, "grad.rnn.weight_hh_l0"));
        Assert.Equal([2, 1], terms.Select(t => t.Origin.Step));
    }

    [Fact]
    public void A_hidden_state_used_by_the_next_step_and_the_output_sums_both_gradients()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("rnn_tanh"), "backward");
        // dh_1 = dy[1] + W_hh^T-product from step 2: an add of the seed and a matmul.
        var h1 = Forward(graph, "tanh", 1);
        var dh1 = graph.Nodes.Single(n => n.Op.Name == "add" && n.Origin.Step == 1 && n.Origin.Label == "dh" && n.Inputs.Any(i => i.Op.Name == "input"));
        Assert.Equal("dy", dh1.Inputs[0].Attributes.Name);
        Assert.Equal(1, dh1.Inputs[0].Attributes.Index);
        Assert.Equal("matmul", dh1.Inputs[1].Op.Name);
        Assert.Equal(h1.Shape, dh1.Shape);
    }

    [Fact]
    public void Every_parameter_and_input_step_gets_a_gradient_output()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("lstm"), "backward");
        Assert.Equal(
            ["grad.x[0]", "grad.x[1]", "grad.x[2]", "grad.rnn.bias_hh_l0", "grad.rnn.bias_ih_l0", "grad.rnn.weight_hh_l0", "grad.rnn.weight_ih_l0"],
            graph.Outputs.Where(o => o.Name.StartsWith("grad.", StringComparison.Ordinal)).Select(o => o.Key));
        Assert.Equal(graph.Params.Select(p => p.Shape), graph.Params.Select(p => Output(graph, "grad." + p.Attributes.Name).Shape));
    }
}
