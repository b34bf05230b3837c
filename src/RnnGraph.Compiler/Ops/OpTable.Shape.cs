using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Ops;

public static partial class OpTable
{
    private static IEnumerable<OpDefinition> ShapeOps()
    {
        // Columns [I0, I0 + I1) of the last axis (chunk's pieces).
        yield return new OpDefinition("slice_last", 1,
            (s, a) => a.I0 >= 0 && a.I1 > 0 && a.I0 + a.I1 <= s[0].Last ? s[0].WithLast(a.I1)
                : throw new ShapeException($"slice [{a.I0}, {a.I0 + a.I1}) is outside {s[0]}"),
            (b, n, g) => [b.PadLast(g, n.Attributes.I0, n.Inputs[0].Shape.Last)],
            ZeroInZeroOut, "I0 = start, I1 = length");

        // Places the input at columns [I0, I0 + len) of a zero tensor whose last axis is I1 (slice_last's adjoint).
        yield return new OpDefinition("pad_last", 1,
            (s, a) => a.I0 >= 0 && a.I0 + s[0].Last <= a.I1 ? s[0].WithLast(a.I1)
                : throw new ShapeException($"cannot place {s[0]} at column {a.I0} of width {a.I1}"),
            (b, n, g) => [b.SliceLast(g, n.Attributes.I0, n.Inputs[0].Shape.Last)],
            ZeroInZeroOut, "I0 = start, I1 = total length");

        // Rows [I0, I0 + I1) of a 2-D tensor: a piece of a stacked weight (chunk on a matrix parameter), or one
        // step's rows of a time-batched product. Row counts and offsets below zero count whole batches, as in Shape.
        yield return new OpDefinition("slice_rows", 1,
            (s, a) => s[0].Rank == 2 && RowsFit(a.I0, a.I1, s[0][0]) ? Shape.Matrix(a.I1, s[0][1])
                : throw new ShapeException($"rows [{Shape.FormatDim(a.I0)}, +{Shape.FormatDim(a.I1)}) are outside {s[0]}"),
            (b, n, g) => [b.PadRows(g, n.Attributes.I0, n.Inputs[0].Shape[0])],
            ZeroInZeroOut, "I0 = first row, I1 = number of rows (below zero: multiples of B)");

        // Places a 2-D input at rows [I0, I0 + rows) of a zero tensor with I1 rows (slice_rows' adjoint).
        yield return new OpDefinition("pad_rows", 1,
            (s, a) => s[0].Rank == 2 && RowsFit(a.I0, s[0][0], a.I1) ? Shape.Matrix(a.I1, s[0][1])
                : throw new ShapeException($"cannot place {s[0]} at row {Shape.FormatDim(a.I0)} of {Shape.FormatDim(a.I1)}"),
            (b, n, g) => [b.SliceRows(g, n.Attributes.I0, n.Inputs[0].Shape[0])],
            ZeroInZeroOut, "I0 = first row, I1 = total rows (below zero: multiples of B)");

        // Stacks 2-D inputs of equal width along the rows: T steps' [B, n] become one [T·B, n] (time batching).
        yield return new OpDefinition("concat_rows", -1, ConcatRowsShape,
            (b, n, g) =>
            {
                var grads = new Node?[n.Inputs.Count];
                int offset = 0;
                for (int i = 0; i < grads.Length; i++)
                {
                    int rows = n.Inputs[i].Shape[0];
                    grads[i] = b.SliceRows(g, offset, rows);
                    offset += rows;
                }
                return grads;
            },
            ZeroInZeroOut);

        yield return new OpDefinition("concat_last", -1, ConcatShape,
            (b, n, g) =>
            {
                var grads = new Node?[n.Inputs.Count];
                int offset = 0;
                for (int i = 0; i < grads.Length; i++)
                {
                    int width = n.Inputs[i].Shape.Last;
                    grads[i] = b.SliceLast(g, offset, width);
                    offset += width;
                }
                return grads;
            },
            ZeroInZeroOut);

        // Sums over the broadcast axes so the result has the target shape (the adjoint of broadcasting).
        yield return new OpDefinition("sum_to", 1,
            (s, a) => Shape.Broadcast(s[0], a.Shape!) is { } r && r.Equals(s[0]) ? a.Shape!
                : throw new ShapeException($"cannot sum {s[0]} down to {a.Shape}"),
            (b, n, g) => [b.BroadcastTo(g, n.Inputs[0].Shape)],
            ZeroInZeroOut, "Shape = target");

        yield return new OpDefinition("broadcast_to", 1,
            (s, a) => Shape.Broadcast(s[0], a.Shape!) is { } r && r.Equals(a.Shape) ? a.Shape!
                : throw new ShapeException($"cannot broadcast {s[0]} to {a.Shape}"),
            (b, n, g) => [b.SumTo(g, n.Inputs[0].Shape)],
            ZeroInZeroOut, "Shape = target");

        // Sum over the last axis keeping it as size 1 (softmax's backward).
        yield return new OpDefinition("sum_last", 1, (s, _) => s[0].WithLast(1),
            (b, n, g) => [b.BroadcastTo(g, n.Inputs[0].Shape)], ZeroInZeroOut);

        // The index of each row's largest entry (the first on ties), as an id without the last axis: [..., V] -> [...].
        // Choosing is not differentiable: no gradient flows back (an encoder-decoder feeding back its own prediction).
        yield return new OpDefinition("argmax_last", 1,
            (s, _) => s[0].Rank >= 2 ? new Shape(s[0].Dims[..^1].ToArray()) : throw new ShapeException($"argmax_last needs rows to choose from, got {s[0]}"),
            (b, n, g) => [null]);

        // x[..., ids[...]] keeping the last axis as size 1: each row's entry at its target id (cross-entropy).
        yield return new OpDefinition("pick_last", 2,
            (s, _) => s[1].Equals(s[0].WithLast(1)) || (s[0].Rank == s[1].Rank + 1 && s[0].WithLast(1).Dims[..^1].SequenceEqual(s[1].Dims))
                ? s[0].WithLast(1) : throw new ShapeException($"pick_last needs ids for each row of {s[0]}, got {s[1]}"),
            (b, n, g) => [b.ScatterLast(g, n.Inputs[1], n.Inputs[0].Shape.Last), null]);

        // Places each row's single value at its id in a zero row of width I0 (pick_last's adjoint).
        yield return new OpDefinition("scatter_last", 2,
            (s, a) => s[0].Last == 1 && a.I0 > 0 ? s[0].WithLast(a.I0) : throw new ShapeException($"scatter_last needs [..., 1] values, got {s[0]}"),
            (b, n, g) => [b.PickLast(g, n.Inputs[1]), null],
            (b, x, _, s) => IsZeros(x[0]) ? b.Zeros(s) : null, "I0 = width");

        // Rows of table [V, D] picked by integer ids [B] (an embedding lookup).
        yield return new OpDefinition("gather_rows", 2,
            (s, _) => s[0].Rank == 2 && s[1].Rank == 1 ? Shape.Matrix(s[1][0], s[0][1])
                : throw new ShapeException($"gather_rows needs a [V,D] table and [B] ids, got {s[0]} and {s[1]}"),
            (b, n, g) => [b.ScatterAddRows(g, n.Inputs[1], n.Inputs[0].Shape[0]), null]);

        // Adds rows of src [B, D] into a zero [I0, D] tensor at rows ids [B] (gather_rows' adjoint).
        yield return new OpDefinition("scatter_add_rows", 2,
            (s, a) => s[0].Rank == 2 && s[1].Rank == 1 ? Shape.Matrix(a.I0, s[0][1])
                : throw new ShapeException($"scatter_add_rows needs [B,D] rows and [B] ids, got {s[0]} and {s[1]}"),
            (b, n, g) => [b.GatherRows(g, n.Inputs[1]), null],
            (b, x, _, s) => IsZeros(x[0]) ? b.Zeros(s) : null, "I0 = number of rows");
    }

    // Rows [start, start + count) lie within total: all three concrete, or all symbolic (a zero start fits both).
    private static bool RowsFit(int start, int count, int total)
    {
        bool symbolic = Shape.IsSymbolic(total);
        if (Shape.IsSymbolic(count) != symbolic || (start != 0 && Shape.IsSymbolic(start) != symbolic)) return false;
        return symbolic ? count < 0 && start <= 0 && -start - count <= -total : count > 0 && start >= 0 && start + count <= total;
    }

    private static Shape ConcatRowsShape(IReadOnlyList<Shape> s, OpAttributes _)
    {
        int rows = 0;
        foreach (var shape in s)
        {
            if (shape.Rank != 2 || shape[1] != s[0][1] || Shape.IsSymbolic(shape[0]) != Shape.IsSymbolic(s[0][0]))
                throw new ShapeException($"concat_rows needs 2-D inputs of equal width and the same kind of row count, got {s[0]} and {shape}");
            rows += shape[0];
        }
        return Shape.Matrix(rows, s[0][1]);
    }

    private static Shape ConcatShape(IReadOnlyList<Shape> s, OpAttributes _)
    {
        int width = 0;
        foreach (var shape in s)
        {
            if (!shape.SameLeadingAxes(s[0]))
                throw new ShapeException($"concat_last needs equal leading axes, got {s[0]} and {shape}");
            width += shape.Last;
        }
        return s[0].WithLast(width);
    }
}
