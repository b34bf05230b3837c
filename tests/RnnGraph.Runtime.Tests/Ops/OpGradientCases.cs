using RnnGraph.Compiler.IR;

namespace RnnGraph.Runtime.Tests.Ops;

/// <summary>
/// The gradient table: at least one case per op of <c>OpTable.All</c> that has inputs (a test fails otherwise).
/// Shapes use the symbolic batch B; the checks run with B = 3.
/// </summary>
public static class OpGradientCases
{
    private const int B = Shape.Batch;

    private static Operand X(params int[] dims) => new(new Shape(dims));
    private static Operand AwayFromZero(params int[] dims) => new(new Shape(dims), ValueRange.AwayFromZero);
    private static Operand Positive(params int[] dims) => new(new Shape(dims), ValueRange.Positive);

    private static OpGradientCase Case(string name, string op, params Operand[] operands) => new(name, op, operands, OpAttributes.None);
    private static OpGradientCase Case(string name, string op, OpAttributes attributes, params Operand[] operands) => new(name, op, operands, attributes);

    /// <summary>Operand shape pairs for the broadcasting binary ops: equal, row vector, scalar, column, outer, rank 3.</summary>
    private static readonly (string Name, int[] A, int[] B)[] BroadcastPairs =
    [
        ("[B,5]o[B,5]", [B, 5], [B, 5]),
        ("[B,5]o[5]", [B, 5], [5]),
        ("[5]o[B,5]", [5], [B, 5]),
        ("[B,5]o[]", [B, 5], []),
        ("[]o[B,5]", [], [B, 5]),
        ("[B,5]o[B,1]", [B, 5], [B, 1]),
        ("[B,1]o[B,5]", [B, 1], [B, 5]),
        ("[B,1]o[1,5]", [B, 1], [1, 5]),
        ("[2,B,4]o[B,1]", [2, B, 4], [B, 1]),
    ];

    private static IEnumerable<OpGradientCase> Binary(string op, bool divisor = false) =>
        BroadcastPairs.Select(p => Case($"{op} {p.Name.Replace("o", op switch { "add" => "+", "sub" => "-", "mul" => "*", _ => "/" })}", op,
                                        X(p.A), divisor ? AwayFromZero(p.B) : X(p.B)));

    private static IEnumerable<OpGradientCase> MatMuls()
    {
        // C[m,n] = op(A) op(B) with m = B (batch), k = 4, n = 5, and the weight-gradient form with k = B.
        yield return Case("matmul [B,4]@[4,5]", "matmul", new OpAttributes(I0: 0, I1: 0), X(B, 4), X(4, 5));
        yield return Case("matmul [B,4]@[5,4]^T", "matmul", new OpAttributes(I0: 0, I1: 1), X(B, 4), X(5, 4));
        yield return Case("matmul [B,4]^T@[B,5]", "matmul", new OpAttributes(I0: 1, I1: 0), X(B, 4), X(B, 5));
        yield return Case("matmul [4,B]^T@[5,4]^T", "matmul", new OpAttributes(I0: 1, I1: 1), X(4, B), X(5, 4));
        yield return Case("matmul [1,7]@[7,1]", "matmul", new OpAttributes(I0: 0, I1: 0), X(1, 7), X(7, 1));
    }

    private static OpGradientCase Fused(string name, string program, Shape shape, params Operand[] operands) =>
        new(name, "fused", operands, new OpAttributes(Name: program, Shape: shape));

    /// <summary>Fused programs as the elementwise-fusion pass writes them: gate views, a time-batched row view, broadcasts.</summary>
    private static IEnumerable<OpGradientCase> FusedPrograms()
    {
        yield return Fused("fused lstm cell update from gate columns",
            "t0 = sigmoid($0[cols 0:+3]); t1 = tanh($0[cols 3:+3]); t2 = mul(t0, t1); t3 = sigmoid($0[cols 6:+3]); t4 = mul(t3, $1); t5 = add(t4, t2)",
            new Shape(B, 3), X(B, 9), X(B, 3));
        yield return Fused("fused biased step rows of a stacked product",
            "t0 = add($0[rows B:+B], $1); t1 = add(t0, $2); t2 = tanh(t1)", new Shape(B, 4), X(Shape.BatchMultiple(3), 4), X(4), X(B, 4));
        yield return Fused("fused reuse of a value and a scalar",
            "t0 = sigmoid($0); t1 = sub($1, t0); t2 = mul(t0, t1); t3 = mul(t2, $0)", new Shape(B, 5), X(B, 5), X());
        yield return Fused("fused one input read twice through views",
            "t0 = mul($0[cols 0:+2], $0[cols 2:+2]); t1 = div(t0, $1)", new Shape(B, 2), X(B, 4), AwayFromZero(B, 2));
    }

    private static IEnumerable<OpGradientCase> ShapeOps()
    {
        yield return Case("slice_last [B,7] start 0", "slice_last", new OpAttributes(I0: 0, I1: 3), X(B, 7));
        yield return Case("slice_last [B,7] middle", "slice_last", new OpAttributes(I0: 2, I1: 3), X(B, 7));
        yield return Case("slice_last [2,B,7] end", "slice_last", new OpAttributes(I0: 4, I1: 3), X(2, B, 7));
        yield return Case("pad_last [B,3] into 7 at 0", "pad_last", new OpAttributes(I0: 0, I1: 7), X(B, 3));
        yield return Case("pad_last [B,3] into 7 at 4", "pad_last", new OpAttributes(I0: 4, I1: 7), X(B, 3));
        yield return Case("slice_rows [9,4] rows 3..6", "slice_rows", new OpAttributes(I0: 3, I1: 3), X(9, 4));
        yield return Case("slice_rows [9,4] first row", "slice_rows", new OpAttributes(I0: 0, I1: 1), X(9, 4));
        yield return Case("pad_rows [3,4] into 9 at 6", "pad_rows", new OpAttributes(I0: 6, I1: 9), X(3, 4));
        yield return Case("slice_rows [3B,4] step 1 of 3", "slice_rows", new OpAttributes(I0: Shape.BatchMultiple(1), I1: B), X(Shape.BatchMultiple(3), 4));
        yield return Case("slice_rows [3B,4] last 2 steps", "slice_rows", new OpAttributes(I0: B, I1: Shape.BatchMultiple(2)), X(Shape.BatchMultiple(3), 4));
        yield return Case("pad_rows [B,4] into 3B at 2B", "pad_rows", new OpAttributes(I0: Shape.BatchMultiple(2), I1: Shape.BatchMultiple(3)), X(B, 4));
        yield return Case("concat_rows [B,4],[B,4],[B,4]", "concat_rows", X(B, 4), X(B, 4), X(B, 4));
        yield return Case("concat_rows [2,3],[5,3]", "concat_rows", X(2, 3), X(5, 3));
        yield return Case("concat_last [B,2],[B,3]", "concat_last", X(B, 2), X(B, 3));
        yield return Case("concat_last [B,1],[B,4],[B,2]", "concat_last", X(B, 1), X(B, 4), X(B, 2));
        yield return Case("sum_to [B,5]->[5]", "sum_to", new OpAttributes(Shape: new Shape(5)), X(B, 5));
        yield return Case("sum_to [B,5]->[1,5]", "sum_to", new OpAttributes(Shape: new Shape(1, 5)), X(B, 5));
        yield return Case("sum_to [B,5]->[B,1]", "sum_to", new OpAttributes(Shape: new Shape(B, 1)), X(B, 5));
        yield return Case("sum_to [2,B,37]->[2,B,1]", "sum_to", new OpAttributes(Shape: new Shape(2, B, 1)), X(2, B, 37));
        yield return Case("sum_to [B,5]->[]", "sum_to", new OpAttributes(Shape: Shape.Scalar), X(B, 5));
        yield return Case("sum_to [2,B,5]->[B,5]", "sum_to", new OpAttributes(Shape: new Shape(B, 5)), X(2, B, 5));
        yield return Case("broadcast_to [5]->[B,5]", "broadcast_to", new OpAttributes(Shape: new Shape(B, 5)), X(5));
        yield return Case("broadcast_to [B,1]->[B,5]", "broadcast_to", new OpAttributes(Shape: new Shape(B, 5)), X(B, 1));
        yield return Case("broadcast_to []->[B,5]", "broadcast_to", new OpAttributes(Shape: new Shape(B, 5)), X());
        yield return Case("broadcast_to [1,5]->[2,B,5]", "broadcast_to", new OpAttributes(Shape: new Shape(2, B, 5)), X(1, 5));
        yield return Case("sum_last [B,5]", "sum_last", X(B, 5));
        yield return Case("sum_last [2,B,3]", "sum_last", X(2, B, 3));
    }

    private static IEnumerable<OpGradientCase> RowOps()
    {
        // Ids repeat so the adjoints must accumulate rows; batch is 3.
        double[] ids = [2, 0, 2];
        yield return Case("gather_rows [4,3] by ids", "gather_rows", X(4, 3), new Operand(new Shape(B), Ids: ids));
        yield return Case("scatter_add_rows [B,3] into 4 rows", "scatter_add_rows", new OpAttributes(I0: 4), X(B, 3), new Operand(new Shape(B), Ids: ids));
        yield return Case("pick_last [B,4] by ids", "pick_last", X(B, 4), new Operand(new Shape(B), Ids: ids));
        yield return Case("pick_last [B,4] by ids [B,1]", "pick_last", X(B, 4), new Operand(new Shape(B, 1), Ids: ids));
        yield return Case("scatter_last [B,1] into width 4", "scatter_last", new OpAttributes(I0: 4), X(B, 1), new Operand(new Shape(B), Ids: ids));
    }

    public static readonly IReadOnlyList<OpGradientCase> All =
    [
        .. Binary("add"), .. Binary("sub"), .. Binary("mul"), .. Binary("div", divisor: true),
        Case("maximum [B,5],[B,5]", "maximum", X(B, 5), X(B, 5)),
        Case("maximum [B,5],[5]", "maximum", X(B, 5), X(5)),
        Case("neg [B,5]", "neg", X(B, 5)),
        Case("tanh [B,5]", "tanh", X(B, 5)),
        Case("sigmoid [B,5]", "sigmoid", X(B, 5)),
        Case("relu [B,5]", "relu", AwayFromZero(B, 5)),
        Case("step [B,5]", "step", AwayFromZero(B, 5)),
        // A choice: its value does not move under small changes (no ties among random values), and no gradient flows.
        Case("argmax_last [B,5]", "argmax_last", X(B, 5)),
        Case("exp [B,5]", "exp", X(B, 5)),
        Case("log [B,5]", "log", Positive(B, 5)),
        Case("softmax [B,5]", "softmax", X(B, 5)),
        Case("softmax [2,B,3]", "softmax", X(2, B, 3)),
        Case("softmax [B,1]", "softmax", X(B, 1)),
        Case("log_softmax [B,5]", "log_softmax", X(B, 5)),
        Case("log_softmax [2,B,3]", "log_softmax", X(2, B, 3)),
        Case("softplus [B,5]", "softplus", X(B, 5)),
        .. MatMuls(),
        .. ShapeOps(),
        .. FusedPrograms(),
        .. RowOps(),
    ];

    public static OpGradientCase Get(string name) => All.Single(c => c.Name == name);
}
