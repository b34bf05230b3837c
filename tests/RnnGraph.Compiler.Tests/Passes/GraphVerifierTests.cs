using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Ops;
using RnnGraph.Compiler.Passes;

namespace RnnGraph.Compiler.Tests.Passes;

/// <summary>
/// Broken graphs can only be made by hand (the builder checks shapes), through the internal
/// <see cref="Node"/> constructor. The verifier names the problem and prints the IR around the bad node.
/// </summary>
public sealed class GraphVerifierTests
{
    private static readonly Shape Rows = new(Shape.Batch, 5);
    private static readonly GraphInfo Info = new(1, false, []);

    private static Node Raw(int id, string op, Shape shape, params Node[] inputs) =>
        new(id, OpTable.Get(op), inputs, OpAttributes.None, shape, NodeOrigin.None);

    private static GraphVerificationException Fails(Graph graph) => Assert.Throws<GraphVerificationException>(() => GraphVerifier.Verify(graph));

    [Fact]
    public void A_shape_that_disagrees_with_the_op_is_reported_with_the_ir_around_it()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 0, Rows);
        var y = b.Input("y", 0, Rows);
        var a = b.Apply("tanh", x);
        var bad = Raw(100, "add", new Shape(Shape.Batch, 7), a, y);
        var after = Raw(101, "exp", new Shape(Shape.Batch, 7), bad);
        var graph = new Graph("broken", [x, y, a, bad, after], [new GraphOutput("out", -1, after)], Info);

        var e = Fails(graph);
        Assert.Contains("graph 'broken' is invalid", e.Message);
        Assert.Contains("add has shape [B,7] but its op gives [B,5]", e.Message);
        Assert.EndsWith(
            "   %0 = input x[0] : [B,5]\n" +
            "   %1 = input y[0] : [B,5]\n" +
            "   %2 = tanh %0 : [B,5]\n" +
            ">> %3 = add %2, %1 : [B,7]\n" +
            "   %4 = exp %3 : [B,7]\n", e.Message);
    }

    [Fact]
    public void Inputs_that_do_not_broadcast_are_reported_with_the_shape_rule_message()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 0, Rows);
        var z = b.Input("z", 0, new Shape(Shape.Batch, 3));
        var bad = Raw(10, "mul", Rows, x, z);
        var e = Fails(new Graph("broken", [x, z, bad], [new GraphOutput("out", -1, bad)], Info));
        Assert.Contains("mul shapes [B,5] and [B,3] do not broadcast", e.Message);
        Assert.Contains(">> %2 = mul %0, %1 : [B,5]", e.Message);
    }

    [Fact]
    public void A_node_whose_input_is_not_in_the_graph_is_reported()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 0, Rows);
        var missing = b.Input("h", 0, Rows);
        var user = b.Add(x, missing);
        var e = Fails(new Graph("broken", [x, user], [new GraphOutput("out", -1, user)], Info));
        Assert.Contains($"uses %?{missing.Id} (input) which is not defined before it", e.Message);
        Assert.Contains($">> %1 = add %0, %?{missing.Id} : [B,5]", e.Message);
    }

    [Fact]
    public void A_node_listed_before_its_input_is_reported()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 0, Rows);
        var t = b.Apply("tanh", x);
        var e = Fails(new Graph("broken", [t, x], [new GraphOutput("out", -1, t)], Info));
        Assert.Contains("tanh uses", e.Message);
        Assert.Contains(">> %0 = tanh %1 : [B,5]", e.Message);
    }

    [Fact]
    public void A_wrong_number_of_inputs_is_reported()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 0, Rows);
        var bad = Raw(10, "tanh", Rows, x, x);
        var e = Fails(new Graph("broken", [x, bad], [new GraphOutput("out", -1, bad)], Info));
        Assert.Contains("tanh has 2 inputs, op takes 1", e.Message);
    }

    [Fact]
    public void An_output_outside_the_graph_is_reported()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", 0, Rows);
        var t = b.Apply("tanh", x);
        var e = Fails(new Graph("broken", [x], [new GraphOutput("y", 2, t)], Info));
        Assert.Contains("output y[2] refers to a node outside the graph", e.Message);
    }

    [Fact]
    public void The_context_is_four_lines_either_side_of_the_bad_node()
    {
        var b = new GraphBuilder();
        var nodes = new List<Node> { b.Input("x", 0, Rows) };
        for (int i = 0; i < 12; i++) nodes.Add(b.Apply("tanh", nodes[^1]));
        nodes[6] = Raw(100, "tanh", new Shape(5), nodes[5]);
        nodes[7] = Raw(101, "tanh", new Shape(5), nodes[6]);
        var graph = new Graph("long", nodes, [new GraphOutput("out", -1, nodes[7])], Info);

        var context = Fails(graph).Message.Split('\n').Skip(1).Where(l => l.Length > 0).ToList();
        Assert.Equal(9, context.Count);
        Assert.Equal("   %2 = tanh %1 : [B,5]", context[0]);
        Assert.Equal(">> %6 = tanh %5 : [5]", context[4]);
        Assert.Equal("   %10 = tanh %9 : [B,5]", context[8]);
    }

    [Fact]
    public void Every_stage_of_every_builtin_cell_verifies()
    {
        foreach (var cell in TestSpecs.CellVariants.Keys)
        {
            var compilation = TestSpecs.CompileCell(cell);
            foreach (var stage in Compilation.Stages) GraphVerifier.Verify(compilation.Stage(stage, 2));
        }
    }
}
