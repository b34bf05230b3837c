using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;
using RnnGraph.Compiler.Printing;
using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Passes;

/// <summary>
/// The time-batching pass on small graphs: the LSTM at T=3 before and after (snapshots), the stacked shapes,
/// and that a product whose left operand depends on the group's own results is left per step.
/// Snapshots: Passes/Snapshots/TimeBatchingPassTests.*; accept changes with RNNGRAPH_ACCEPT_SNAPSHOTS=1.
/// </summary>
public sealed class TimeBatchingPassTests
{
    [Theory]
    [InlineData("before")]
    [InlineData("after")]
    public void Lstm_T3(string side)
    {
        var compilation = TestSpecs.CompileCell("lstm");
        compilation.TimeBatching = side == "after";
        compilation.ElementwiseFusion = false; // this pass's effect alone
        Snapshot.Verify(GraphTextPrinter.Print(TestSpecs.Stage(compilation, "optimized")), parameters: side);
    }

    [Fact]
    public void The_stacked_rows_are_a_multiple_of_the_batch()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("lstm"), "optimized");
        var stacked = graph.Nodes.Where(n => n.Op.Name == "concat_rows").Select(n => n.Shape.ToString()).Order().ToList();
        // x (3 steps), dG (3 steps) for W_ih and the input gradient, dG and h (steps 1, 2) for W_hh.
        Assert.Equal(["[2B,2]", "[2B,8]", "[3B,3]", "[3B,8]"], stacked);
        Assert.Equal(Shape.BatchMultiple(3), graph.Nodes.Single(n => n.Op.Name == "concat_rows" && n.Shape[1] == 3).Shape[0]);
        Assert.Equal(48, new Shape(Shape.BatchMultiple(3), 4).ElementCount(batch: 4));
        Assert.Equal([12, 4], new Shape(Shape.BatchMultiple(3), 4).Resolve(batch: 4));
    }

    [Fact]
    public void A_weight_shared_by_the_input_and_the_recurrence_batches_only_the_input_products()
    {
        var compilation = TestSpecs.Compile(
            "cells:\n  tied:\n    params: { weight: [hidden, hidden] }\n    state: [h]\n" +
            "    equations: |\n      h = tanh(weight @ x + weight @ h[t-1])\n    output: h\n" +
            "model:\n  inputs:\n    x: {size: 2}\n  layers:\n    - rnn: {cell: tied, hidden: 2}\n");
        var graph = new SimplifyPass().Run(TestSpecs.Stage(compilation, "unrolled", steps: 4));
        var batched = new TimeBatchingPass().Run(graph);
        GraphVerifier.Verify(batched);

        var products = batched.Nodes.Where(n => n.Op.Name == "matmul").ToList();
        var stacked = Assert.Single(products, p => p.Inputs[0].Op.Name == "concat_rows");
        Assert.All(stacked.Inputs[0].Inputs, x => Assert.Equal("input", x.Op.Name));
        // W @ h[t-1] for t = 1..3 stay per step (each needs the step before; t=0's zero state simplified away).
        Assert.Equal(3, products.Count(p => p.Inputs[0].Op.Name != "concat_rows"));
    }

    [Fact]
    public void Two_groups_that_would_wait_for_each_other_are_batched_one_at_a_time()
    {
        // a_t = L_t W1ᵀ and b_t = M_t W2ᵀ, where L_1 = tanh(b_0) and M_1 = tanh(a_0): each group alone is
        // independent, but stacking both would make each product wait for the other.
        var b = new GraphBuilder(simplify: false);
        var shape = new Shape(Shape.Batch, 2);
        Node x0 = b.Input("x", 0, shape), x1 = b.Input("x", 1, shape);
        Node w1 = b.Param("w1", new Shape(2, 2)), w2 = b.Param("w2", new Shape(2, 2));
        var a0 = b.MatMul(x0, w1, false, true);
        var b0 = b.MatMul(x1, w2, false, true);
        var a1 = b.MatMul(b.Apply("tanh", b0), w1, false, true);
        var b1 = b.MatMul(b.Apply("tanh", a0), w2, false, true);
        var graph = Graph.FromOutputs("test", [new GraphOutput("a", 1, a1), new GraphOutput("b", 1, b1)], new GraphInfo(2, false, []));

        var batched = new TimeBatchingPass().Run(graph);
        GraphVerifier.Verify(batched);
        var stacked = Assert.Single(batched.Nodes, n => n.Op.Name == "concat_rows");
        Assert.Equal(new Shape(Shape.BatchMultiple(2), 2), stacked.Shape);
        Assert.Equal(3, batched.Nodes.Count(n => n.Op.Name == "matmul"));
    }
}
