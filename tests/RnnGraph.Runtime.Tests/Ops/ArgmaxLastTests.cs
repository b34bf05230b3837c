using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Ops;

namespace RnnGraph.Runtime.Tests.Ops;

/// <summary><c>argmax_last</c>, the choice an encoder-decoder makes when it feeds back its own prediction: as torch.argmax.</summary>
public sealed class ArgmaxLastTests
{
    [Fact]
    public void Picks_each_rows_largest_entry_and_the_first_of_equal_ones()
    {
        var graph = SingleOpGraph.Build("argmax_last", OpAttributes.None, [new Operand(new Shape(Shape.Batch, 4))]);
        double[] rows =
        [
            0.1, 0.7, -2, 0.3,          // 1
            -1, -3, -0.5, -0.5,         // 2: the first of two equal largest
            5, 5, 5, 5,                 // 0
            -0.0, 0.0, double.NegativeInfinity, 1e-30, // 3
        ];
        Assert.Equal([1f, 2f, 0f, 3f], SingleOpGraph.Run<float>(graph, 4, [rows]));
        Assert.Equal([1d, 2d, 0d, 3d], SingleOpGraph.Run<double>(graph, 4, [rows]));
    }

    [Fact]
    public void Drops_the_last_axis_and_needs_one()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", -1, new Shape(2, Shape.Batch, 5));
        Assert.Equal(new Shape(2, Shape.Batch), b.ArgmaxLast(x).Shape);
        Assert.Throws<ShapeException>(() => b.ArgmaxLast(b.Input("v", -1, new Shape(Shape.Batch))));
    }
}
