using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;
using RnnGraph.Compiler.Printing;
using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Passes;

/// <summary>
/// The elementwise-fusion pass on small graphs: what joins a group and what stays a value of its own, slices read in
/// place, and the program's text form, which dumps print and the runtime reads back.
/// Snapshots: Passes/Snapshots/ElementwiseFusionPassTests.*; accept changes with RNNGRAPH_ACCEPT_SNAPSHOTS=1.
/// </summary>
public sealed class ElementwiseFusionPassTests
{
    [Fact]
    public void Lstm_forward_T3()
    {
        var compilation = TestSpecs.CompileCell("lstm");
        var forward = new ElementwiseFusionPass().Run(new TimeBatchingPass().Run(new SimplifyPass().Run(TestSpecs.Stage(compilation, "unrolled", steps: 3))));
        GraphVerifier.Verify(forward);
        Snapshot.Verify(GraphTextPrinter.Print(forward));
    }

    [Fact]
    public void A_value_read_outside_its_chain_stays_a_node_and_slices_are_read_in_place()
    {
        var b = new GraphBuilder();
        var gates = b.Apply("tanh", b.Input("gates", -1, new Shape(Shape.Batch, 6)));
        var i = b.Apply("sigmoid", b.SliceLast(gates, 0, 3));
        var g = b.Apply("tanh", b.SliceLast(gates, 3, 3));
        var c = b.Mul(i, g);
        var h = b.Apply("tanh", c);
        var graph = Graph.FromOutputs("test", [new GraphOutput("c", -1, c), new GraphOutput("h", -1, h)], new GraphInfo(1, false, []));

        var fused = new ElementwiseFusionPass().Run(graph);
        GraphVerifier.Verify(fused);
        var text = GraphTextPrinter.Print(fused);
        // c is an output, so it is written out; h = tanh(c) reads it. The slices are gone: c's group reads the gate columns.
        Assert.Contains("fused %1 {t0 = sigmoid($0[cols 0:+3]); t1 = tanh($0[cols 3:+3]); t2 = mul(t0, t1)} : [B,3]", text);
        Assert.Contains("tanh %2 : [B,3]", text);
        Assert.DoesNotContain("slice_last", text);
    }

    [Fact]
    public void A_column_broadcast_is_not_fused()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", -1, new Shape(Shape.Batch, 4));
        var column = b.Input("w", -1, new Shape(Shape.Batch, 1));
        var y = b.Apply("tanh", b.Mul(b.Apply("sigmoid", x), column));
        var graph = Graph.FromOutputs("test", [new GraphOutput("y", -1, y)], new GraphInfo(1, false, []));
        var text = GraphTextPrinter.Print(new ElementwiseFusionPass().Run(graph));
        Assert.Contains("mul", text);
        Assert.Contains("sigmoid", text);
        Assert.DoesNotContain("fused", text);
    }

    [Theory]
    [InlineData("t0 = add($0[rows B:+B], $1); t1 = add(t0, $2); t2 = sigmoid(t1)")]
    [InlineData("t0 = mul($0[cols 4:+2], $0[cols 0:+2]); t1 = sub($1, t0); t2 = softplus(t1)")]
    [InlineData("t0 = tanh($0[rows 2B:+3B])")]
    [InlineData("t0 = neg($0[rows 7:+2]); t1 = maximum(t0, $1)")]
    public void The_text_form_reads_back_to_the_same_program(string text)
    {
        var program = FusedProgram.Parse(text);
        Assert.Equal(text, program.ToString());
        Assert.Equal(text, FusedProgram.Parse(program.ToString()).ToString());
    }

    [Theory]
    [InlineData("t0 = tanh($0); t2 = exp(t0)", "should define t1")]
    [InlineData("t0 = matmul($0, $1)", "'matmul' ... not an elementwise op")]
    [InlineData("t0 = add($0)", "'add' takes 2 operands")]
    [InlineData("t0 = tanh(t0)", "'t0' is used before it is defined")]
    [InlineData("t0 = tanh($0[diag 0:+2])", "unknown view 'diag'")]
    [InlineData("t0 = tanh($x)", "'x' in 't0 = tanh($x)' is not a number")]
    public void A_malformed_program_is_refused_with_the_statement(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => FusedProgram.Parse(text));
        foreach (var part in message.Split(" ... "))
            Assert.Contains(part, e.Message);
    }
}
