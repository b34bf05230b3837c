using System.Numerics;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Runtime.Tests.Ops;

/// <summary>
/// add/sub/mul/div through the executor (fast paths for equal shapes, scalars, row vectors and columns; a general
/// strided path) against a naive NumPy-broadcasting loop. Each result is one IEEE operation, so float and
/// double must agree with the scalar computation exactly.
/// </summary>
public sealed class BinaryBroadcastKernelTests
{
    private const int B = Shape.Batch;
    private const int Batch = 3;

    public static TheoryData<string> Ops => new() { "add", "sub", "mul", "div" };

    private static IEnumerable<(int[] A, int[] B)> ShapePairs()
    {
        // Row vectors and scalars on either side at every width up to 33, past the vector widths' remainders.
        for (int n = 1; n <= 33; n++)
        {
            yield return ([B, n], [B, n]);
            yield return ([B, n], [n]);
            yield return ([n], [B, n]);
            yield return ([B, n], []);
            yield return ([], [B, n]);
            yield return ([B, n], [1]);
            // A column: one value per row (attention weights times encoder states), either side, rank 2 and 3.
            yield return ([B, n], [B, 1]);
            yield return ([B, 1], [B, n]);
            yield return ([2, B, n], [2, B, 1]);
            yield return ([2, B, 1], [2, B, n]);
        }
        // Outer products and rank 3: the general path.
        yield return ([B, 1], [1, 5]);
        yield return ([1, 5], [B, 1]);
        yield return ([2, B, 4], [B, 1]);
        yield return ([2, 1, 4], [B, 4]);
        yield return ([2, B, 4], [4]);
        yield return ([2, B, 2], [2, 1, 1]);                  // as many elements as a row, but a column per block
        yield return ([1], [1]);
        yield return ([], []);
    }

    private static T Apply<T>(string op, T x, T y) where T : IFloatingPointIeee754<T> => op switch
    {
        "add" => x + y,
        "sub" => x - y,
        "mul" => x * y,
        _ => x / y,
    };

    /// <summary>Element (flat index i of the output) of an operand broadcast to the output shape.</summary>
    private static int SourceIndex(int i, int[] outShape, int[] shape)
    {
        int index = 0, stride = 1;
        for (int d = outShape.Length - 1, s = shape.Length - 1; d >= 0; d--, s--)
        {
            int coordinate = i % outShape[d];
            i /= outShape[d];
            if (s < 0) continue;
            if (shape[s] != 1) index += coordinate * stride;
            stride *= shape[s];
        }
        return index;
    }

    private static void Check<T>(string op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(11);
        foreach (var (aDims, bDims) in ShapePairs())
        {
            var operands = new[] { new Operand(new Shape(aDims)), new Operand(new Shape(bDims), op == "div" ? ValueRange.AwayFromZero : ValueRange.Any) };
            var graph = SingleOpGraph.Build(op, OpAttributes.None, operands);
            var a = SingleOpGraph.Cast<T>(SingleOpGraph.Values(operands[0], Batch, rng));
            var b = SingleOpGraph.Cast<T>(SingleOpGraph.Values(operands[1], Batch, rng));
            var got = SingleOpGraph.Run<T>(graph, Batch, [a.Select(double.CreateChecked).ToArray(), b.Select(double.CreateChecked).ToArray()]);

            var outShape = graph.Outputs[0].Node.Shape.Resolve(Batch);
            int[] sa = operands[0].Shape.Resolve(Batch), sb = operands[1].Shape.Resolve(Batch);
            Assert.Equal(outShape.Aggregate(1, (x, y) => x * y), got.Length);
            for (int i = 0; i < got.Length; i++)
            {
                T expected = Apply(op, a[SourceIndex(i, outShape, sa)], b[SourceIndex(i, outShape, sb)]);
                if (got[i] != expected)
                    Assert.Fail($"{typeof(T).Name} {op} {operands[0].Shape} with {operands[1].Shape} (B={Batch}): y[{i}] = {got[i]}, expected {expected}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Float_results_equal_the_scalar_operation_for_every_broadcast(string op) => Check<float>(op);

    [Theory]
    [MemberData(nameof(Ops))]
    public void Double_results_equal_the_scalar_operation_for_every_broadcast(string op) => Check<double>(op);

    [Fact]
    public void The_reference_broadcasts_like_numpy()
    {
        // [2,3] with [3]: the row vector repeats; with [2,1]: the column repeats.
        int[] outShape = [2, 3];
        Assert.Equal([0, 1, 2, 0, 1, 2], Enumerable.Range(0, 6).Select(i => SourceIndex(i, outShape, [3])));
        Assert.Equal([0, 0, 0, 1, 1, 1], Enumerable.Range(0, 6).Select(i => SourceIndex(i, outShape, [2, 1])));
        Assert.Equal([0, 0, 0, 0, 0, 0], Enumerable.Range(0, 6).Select(i => SourceIndex(i, outShape, [])));
    }
}
