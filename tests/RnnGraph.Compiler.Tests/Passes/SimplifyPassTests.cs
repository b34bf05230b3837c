using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;

namespace RnnGraph.Compiler.Tests.Passes;

/// <summary>Zero propagation: absent initial states and vanishing gradients stop costing work.</summary>
public sealed class SimplifyPassTests
{
    private static readonly Shape Rows = new(Shape.Batch, 2);

    private static Node Simplified(Func<GraphBuilder, Node> build)
    {
        var b = new GraphBuilder();
        var graph = TestSpecs.Single(build(b));
        var result = new SimplifyPass().Run(graph);
        GraphVerifier.Verify(result);
        return result.Outputs[0].Node;
    }

    private static Node X(GraphBuilder b) => b.Input("x", 0, Rows);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Matmul_with_a_zeros_operand_is_zeros(bool zerosOnTheRight)
    {
        var y = Simplified(b =>
        {
            var zeros = b.Zeros(Rows);
            var w = b.Param("w", new Shape(4, 2));
            return zerosOnTheRight ? b.MatMul(b.Input("h", 0, new Shape(Shape.Batch, 4)), b.Zeros(new Shape(4, 2)), false, false)
                                   : b.MatMul(zeros, w, false, true);
        });
        Assert.Equal("zeros", y.Op.Name);
        Assert.Equal(new Shape(Shape.Batch, zerosOnTheRight ? 2 : 4), y.Shape);
    }

    [Fact]
    public void Adding_or_subtracting_zeros_of_the_same_shape_is_the_other_operand()
    {
        Assert.Equal("input", Simplified(b => b.Add(X(b), b.Zeros(Rows))).Op.Name);
        Assert.Equal("input", Simplified(b => b.Add(b.Zeros(Rows), X(b))).Op.Name);
        Assert.Equal("input", Simplified(b => b.Sub(X(b), b.Zeros(Rows))).Op.Name);
        var negated = Simplified(b => b.Sub(b.Zeros(Rows), X(b)));
        Assert.Equal("neg", negated.Op.Name);
        Assert.Equal("input", negated.Inputs[0].Op.Name);
    }

    [Fact]
    public void Adding_zeros_that_would_broadcast_the_other_operand_becomes_a_broadcast()
    {
        // add(zeros[B,6], bias[6]) has shape [B,6], not bias' shape: the bias is broadcast, not returned as is.
        var y = Simplified(b => b.Add(b.Zeros(new Shape(Shape.Batch, 6)), b.Param("bias", new Shape(6))));
        Assert.Equal("broadcast_to", y.Op.Name);
        Assert.Equal("param", y.Inputs[0].Op.Name);
        Assert.Equal(new Shape(Shape.Batch, 6), y.Shape);
    }

    [Theory]
    [InlineData("mul")]
    [InlineData("div")]
    public void Zeros_times_or_over_anything_is_zeros(string op)
    {
        var y = Simplified(b => b.Apply(op, b.Zeros(Rows), X(b)));
        Assert.Equal("zeros", y.Op.Name);
        Assert.Equal(Rows, y.Shape);
    }

    [Theory]
    [InlineData("neg")]
    [InlineData("tanh")]
    [InlineData("relu")]
    public void Zero_preserving_unary_ops_of_zeros_are_zeros(string op)
    {
        Assert.Equal("zeros", Simplified(b => b.Apply(op, b.Zeros(Rows))).Op.Name);
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("exp")]
    public void Unary_ops_that_do_not_map_zero_to_zero_are_kept(string op)
    {
        Assert.Equal(op, Simplified(b => b.Apply(op, b.Zeros(Rows))).Op.Name);
    }

    [Fact]
    public void Zeros_flow_through_slices_pads_and_sums()
    {
        var y = Simplified(b => b.SumTo(b.PadLast(b.SliceLast(b.Zeros(new Shape(Shape.Batch, 6)), 2, 2), 0, 4), new Shape(4)));
        Assert.Equal("zeros", y.Op.Name);
        Assert.Equal(new Shape(4), y.Shape);
    }

    public static TheoryData<string> RecurrentCells => new() { "gru", "gru_reset_before", "lstm", "lstm_peepholes" };

    /// <summary>The zero initial state feeds matmul(zeros, W_hh) at t=0 and its gradient; optimizing removes them.</summary>
    [Theory]
    [MemberData(nameof(RecurrentCells))]
    public void Optimizing_a_compiled_cell_removes_the_products_with_the_zero_initial_state(string cell)
    {
        var compilation = TestSpecs.CompileCell(cell);
        var backward = TestSpecs.Stage(compilation, "backward");
        var optimized = TestSpecs.Stage(compilation, "optimized");

        static int ProductsWithZeros(Graph g) => g.Nodes.Count(n => n.Op.Name is "matmul" or "mul" && n.Inputs.Any(i => i.Op.Name == "zeros"));
        Assert.True(ProductsWithZeros(backward) > 0, "the backward graph should still multiply by the zero initial state");
        Assert.Equal(0, ProductsWithZeros(optimized));
        Assert.True(TestSpecs.CountOp(optimized, "matmul") < TestSpecs.CountOp(backward, "matmul"));
        Assert.True(optimized.Nodes.Count < backward.Nodes.Count);
        Assert.Equal(backward.Outputs.Select(o => o.Key), optimized.Outputs.Select(o => o.Key));
    }

    [Fact]
    public void Optimizing_a_three_step_lstm_saves_the_t0_hidden_matmul_and_its_weight_gradient()
    {
        var compilation = TestSpecs.CompileCell("lstm");
        compilation.TimeBatching = false; // counts the per-step products, before they are batched
        // Forward: W_ih x_t and W_hh h_{t-1} for t = 0..2 (6); backward: the weight and the operand gradient
        // of each (12), except for the zero h_{-1}, which needs no gradient (11).
        Assert.Equal(17, TestSpecs.CountOp(TestSpecs.Stage(compilation, "backward"), "matmul"));
        // Optimized: W_hh @ 0 at t=0 and its weight gradient dG^T @ 0 are zeros.
        Assert.Equal(15, TestSpecs.CountOp(TestSpecs.Stage(compilation, "optimized"), "matmul"));
    }
}
