using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Ops;

namespace RnnGraph.Compiler.Tests.IR;

/// <summary>The builder interns nodes: building an equal expression twice yields the same object (CSE for free).</summary>
public sealed class HashConsingTests
{
    private static (GraphBuilder B, Node X, Node W, Node Bias) Leaves()
    {
        var b = new GraphBuilder();
        return (b, b.Input("x", 0, new Shape(Shape.Batch, 3)), b.Param("w", new Shape(4, 3)), b.Param("b", new Shape(4)));
    }

    [Fact]
    public void Equal_expressions_are_one_node()
    {
        var (b, x, w, bias) = Leaves();
        var first = b.Apply("tanh", b.Add(b.MatMul(x, w, false, true), bias));
        int count = b.Nodes.Count;
        var second = b.Apply("tanh", b.Add(b.MatMul(x, w, false, true), bias));
        Assert.Same(first, second);
        Assert.Equal(count, b.Nodes.Count);
    }

    [Fact]
    public void Equal_leaves_are_one_node()
    {
        var (b, x, w, _) = Leaves();
        Assert.Same(x, b.Input("x", 0, new Shape(Shape.Batch, 3)));
        Assert.Same(w, b.Param("w", new Shape(4, 3)));
        Assert.Same(b.Const(1), b.Const(1.0));
        Assert.Same(b.Zeros(new Shape(2)), b.Zeros(new Shape(2)));
    }

    [Fact]
    public void Nodes_that_differ_in_an_attribute_or_an_input_are_distinct()
    {
        var (b, x, w, _) = Leaves();
        var xt = b.MatMul(x, w, false, true);
        Assert.NotSame(xt, b.MatMul(w, x, false, true));
        Assert.NotSame(b.Input("x", 0, new Shape(Shape.Batch, 3)), b.Input("x", 1, new Shape(Shape.Batch, 3)));
        Assert.NotSame(b.SliceLast(xt, 0, 2), b.SliceLast(xt, 2, 2));
        Assert.NotSame(b.Const(1), b.Const(2));
        Assert.NotSame(b.Sub(x, x), b.Add(x, x));
    }

    [Fact]
    public void Ids_follow_creation_so_inputs_come_before_users()
    {
        var (b, x, w, bias) = Leaves();
        var y = b.Add(b.MatMul(x, w, false, true), bias);
        Assert.All(b.Nodes, n => Assert.All(n.Inputs, i => Assert.True(i.Id < n.Id)));
        Assert.Equal(Enumerable.Range(0, b.Nodes.Count), b.Nodes.Select(n => n.Id));
        Assert.Equal(new Shape(Shape.Batch, 4), y.Shape);
    }

    /// <summary>Scalars are one node when they print alike (round-trip "R"): 0 and -0 differ, every NaN is one.</summary>
    [Fact]
    public void Constants_are_equal_when_their_scalars_print_alike()
    {
        var b = new GraphBuilder();
        Assert.NotSame(b.Const(0.0), b.Const(-0.0));
        Assert.Same(b.Const(double.NaN), b.Const(-double.NaN));
        Assert.Same(b.Const(0.1 + 0.2), b.Const(0.30000000000000004));
        Assert.NotSame(b.Const(0.3), b.Const(0.1 + 0.2));
        Assert.Same(b.Input("", 0, new Shape(2)), b.Apply(OpTable.Input, new OpAttributes(Name: null, Index: 0, Shape: new Shape(2))));
        Assert.NotSame(b.Zeros(new Shape(2)), b.Zeros(new Shape(2, 1)));
    }

    [Fact]
    public void Identity_reshapes_return_their_input()
    {
        var (b, x, _, _) = Leaves();
        Assert.Same(x, b.SumTo(x, new Shape(Shape.Batch, 3)));
        Assert.Same(x, b.BroadcastTo(x, new Shape(Shape.Batch, 3)));
        Assert.Same(x, b.SliceLast(x, 0, 3));
        Assert.Same(x, b.ConcatLast(x));
    }

    [Fact]
    public void The_unroller_shares_one_parameter_node_across_steps()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("rnn_tanh"), "unrolled");
        var weight = Assert.Single(graph.Params, p => p.Attributes.Name == "rnn.weight_hh_l0");
        Assert.Equal(3, graph.Nodes.Count(n => n.Op.Name == "matmul" && n.Inputs.Contains(weight)));
        Assert.Equal(graph.Nodes.Count, graph.Nodes.Distinct().Count());
    }
}
