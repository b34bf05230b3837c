using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;

namespace RnnGraph.Compiler.Tests.Passes;

/// <summary>
/// Duplicates can only exist when nodes come from different builders (one builder interns them);
/// the CSE pass rebuilds through one builder and merges them.
/// </summary>
public sealed class CommonSubexpressionEliminationPassTests
{
    private static Node Cell(GraphBuilder b) =>
        b.Apply("tanh", b.Add(b.MatMul(b.Input("x", 0, new Shape(Shape.Batch, 3)), b.Param("w", new Shape(4, 3)), false, true),
                              b.Param("b", new Shape(4))));

    private static Graph TwoBuilders()
    {
        var y1 = Cell(new GraphBuilder());
        var y2 = Cell(new GraphBuilder());
        return Graph.FromOutputs("merged", [new GraphOutput("y", 0, y1), new GraphOutput("y", 1, y2)], new GraphInfo(1, false, []));
    }

    [Fact]
    public void Equal_expressions_from_two_builders_become_one()
    {
        var merged = TwoBuilders();
        GraphVerifier.Verify(merged);
        Assert.Equal(12, merged.Nodes.Count);

        var result = new CommonSubexpressionEliminationPass().Run(merged);
        GraphVerifier.Verify(result);
        Assert.Equal(6, result.Nodes.Count);
        Assert.Same(result.Outputs[0].Node, result.Outputs[1].Node);
        Assert.Equal(["y[0]", "y[1]"], result.Outputs.Select(o => o.Key));
        Assert.Equal("cse", result.Stage);
    }

    [Fact]
    public void Different_expressions_are_kept()
    {
        var b1 = new GraphBuilder();
        var b2 = new GraphBuilder();
        var x1 = b1.Input("x", 0, new Shape(Shape.Batch, 3));
        var x2 = b2.Input("x", 0, new Shape(Shape.Batch, 3));
        var graph = Graph.FromOutputs("merged",
            [new GraphOutput("a", -1, b1.Apply("tanh", x1)), new GraphOutput("b", -1, b2.Apply("sigmoid", x2))], new GraphInfo(1, false, []));

        var result = new CommonSubexpressionEliminationPass().Run(graph);
        Assert.Equal(3, result.Nodes.Count);
        Assert.Same(result.Outputs[0].Node.Inputs[0], result.Outputs[1].Node.Inputs[0]);
        Assert.NotSame(result.Outputs[0].Node, result.Outputs[1].Node);
    }

    [Fact]
    public void A_compiled_graph_has_no_duplicates_left_for_cse()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("lstm"), "backward");
        var result = new CommonSubexpressionEliminationPass().Run(graph);
        Assert.Equal(graph.Nodes.Count, result.Nodes.Count);
    }
}
