using RnnGraph.Compiler.Ops;

namespace RnnGraph.Compiler.IR;

// Typed helpers over Apply, used by the unroller and the gradient rules. Identity operations
// (sum_to / broadcast_to to the same shape) return their input instead of creating a node.
public sealed partial class GraphBuilder
{
    public Node Input(string name, int index, Shape shape, InputKind kind = InputKind.Float) =>
        Apply(OpTable.Input, new OpAttributes(Name: name, Index: index, Shape: shape, I0: (int)kind));

    /// <summary>A dropout mask input of drop probability <paramref name="probability"/>, drawn by the trainer.</summary>
    public Node DropoutMask(string name, int index, Shape shape, double probability) =>
        Apply(OpTable.Input, new OpAttributes(Name: name, Index: index, Shape: shape, I0: (int)InputKind.Dropout, Scalar: probability));

    public Node Param(string name, Shape shape) => Apply(OpTable.Param, new OpAttributes(Name: name, Shape: shape));

    public Node Const(double value) => Apply(OpTable.Const, new OpAttributes(Scalar: value));

    public Node Zeros(Shape shape) => Apply(OpTable.Zeros, new OpAttributes(Shape: shape));

    public Node Add(Node a, Node b) => Apply("add", a, b);
    public Node Sub(Node a, Node b) => Apply("sub", a, b);
    public Node Mul(Node a, Node b) => Apply("mul", a, b);
    public Node Div(Node a, Node b) => Apply("div", a, b);
    public Node Neg(Node a) => Apply("neg", a);
    public Node Step(Node a) => Apply("step", a);
    public Node SumLast(Node a) => Apply("sum_last", a);

    public Node MatMul(Node a, Node b, bool transA, bool transB) =>
        Apply(OpTable.Get("matmul"), new OpAttributes(I0: transA ? 1 : 0, I1: transB ? 1 : 0), a, b);

    public Node SliceLast(Node a, int start, int length) =>
        start == 0 && length == a.Shape.Last ? a : Apply(OpTable.Get("slice_last"), new OpAttributes(I0: start, I1: length), a);

    public Node PadLast(Node a, int start, int total) =>
        start == 0 && total == a.Shape.Last ? a : Apply(OpTable.Get("pad_last"), new OpAttributes(I0: start, I1: total), a);

    public Node SliceRows(Node a, int start, int rows) =>
        start == 0 && rows == a.Shape[0] ? a : Apply(OpTable.Get("slice_rows"), new OpAttributes(I0: start, I1: rows), a);

    public Node PadRows(Node a, int start, int total) =>
        start == 0 && total == a.Shape[0] ? a : Apply(OpTable.Get("pad_rows"), new OpAttributes(I0: start, I1: total), a);

    public Node ConcatRows(params Node[] parts) => parts.Length == 1 ? parts[0] : Apply(OpTable.Get("concat_rows"), OpAttributes.None, parts);

    public Node ConcatLast(params Node[] parts) => parts.Length == 1 ? parts[0] : Apply(OpTable.Get("concat_last"), OpAttributes.None, parts);

    public Node SumTo(Node a, Shape target) =>
        a.Shape.Equals(target) ? a : Apply(OpTable.Get("sum_to"), new OpAttributes(Shape: target), a);

    public Node BroadcastTo(Node a, Shape target) =>
        a.Shape.Equals(target) ? a : Apply(OpTable.Get("broadcast_to"), new OpAttributes(Shape: target), a);

    public Node GatherRows(Node table, Node ids) => Apply("gather_rows", table, ids);

    public Node PickLast(Node x, Node ids) => Apply("pick_last", x, ids);

    /// <summary>Each row's index of its largest entry (first on ties), as token ids; no gradient flows through it.</summary>
    public Node ArgmaxLast(Node x) => Apply("argmax_last", x);

    public Node ScatterLast(Node values, Node ids, int width) =>
        Apply(OpTable.Get("scatter_last"), new OpAttributes(I0: width), values, ids);

    public Node ScatterAddRows(Node rows, Node ids, int tableRows) =>
        Apply(OpTable.Get("scatter_add_rows"), new OpAttributes(I0: tableRows), rows, ids);
}
