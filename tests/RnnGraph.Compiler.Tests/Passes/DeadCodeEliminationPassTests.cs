using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;

namespace RnnGraph.Compiler.Tests.Passes;

public sealed class DeadCodeEliminationPassTests
{
    [Fact]
    public void Nodes_no_output_reaches_are_removed()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 0, new Shape(Shape.Batch, 3));
        var unusedParam = b.Param("unused", new Shape(3));
        var dead = b.Apply("exp", b.Mul(x, unusedParam));
        var y = b.Apply("tanh", x);
        var graph = new Graph("all", b.Nodes.ToList(), [new GraphOutput("y", -1, y)], new GraphInfo(1, false, []));
        GraphVerifier.Verify(graph);

        var result = new DeadCodeEliminationPass().Run(graph);
        GraphVerifier.Verify(result);
        Assert.Equal([x, y], result.Nodes);
        Assert.DoesNotContain(dead, result.Nodes);
        Assert.DoesNotContain(unusedParam, result.Nodes);
        Assert.Same(y, Assert.Single(result.Outputs).Node);
    }

    [Fact]
    public void A_graph_without_dead_nodes_is_unchanged()
    {
        var graph = TestSpecs.Stage(TestSpecs.CompileCell("gru"), "backward");
        var result = new DeadCodeEliminationPass().Run(graph);
        Assert.Equal(graph.Nodes, result.Nodes);
    }

    [Fact]
    public void Nodes_orphaned_by_zero_propagation_do_not_survive_the_rebuild()
    {
        // The rebuild copies every node (the param w, the zeros) into the new builder; only what the
        // outputs reach is kept, so a following DCE has nothing left to do.
        var b = new GraphBuilder();
        var zeros = b.Zeros(new Shape(Shape.Batch, 2));
        var w = b.Param("w", new Shape(2, 2));
        var y = b.Add(b.MatMul(zeros, w, false, true), b.Input("x", 0, new Shape(Shape.Batch, 2)));
        var graph = new Graph("all", b.Nodes.ToList(), [new GraphOutput("y", -1, y)], new GraphInfo(1, false, []));

        var simplified = new SimplifyPass().Run(graph);
        Assert.Equal(["input"], simplified.Nodes.Select(n => n.Op.Name));
        Assert.Equal(simplified.Nodes, new DeadCodeEliminationPass().Run(simplified).Nodes);
    }
}
