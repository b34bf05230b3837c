using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Analysis;

/// <summary>
/// The floating-point operations one node costs at a concrete batch size: the counting rules of
/// <see cref="ModelSummary"/>, one rule per op of the op table (a test fails when an op has none).
/// </summary>
/// <remarks>
/// matmul: 2·M·N·K (a multiply-add is two); elementwise ops (transcendental ones too): 1 per output element, a fused
/// node 1 per element for each op of its program;
/// softmax and log_softmax: <see cref="SoftmaxPerElement"/> per element; sums: 1 per summed element;
/// leaves and data movement (slices, concatenation, broadcasts, gathers, one-hot scatters): 0.
/// </remarks>
public static class OpCost
{
    /// <summary>A numerically stable softmax: max, subtract, exp, sum, divide (log_softmax: ..., subtract the log-sum).</summary>
    public const int SoftmaxPerElement = 5;

    private static readonly HashSet<string> Elementwise =
        ["add", "sub", "mul", "div", "maximum", "neg", "tanh", "sigmoid", "relu", "step", "exp", "log", "softplus"];

    private static readonly HashSet<string> Free =
        ["input", "param", "const", "zeros", "slice_last", "pad_last", "slice_rows", "pad_rows", "concat_last", "concat_rows",
         "broadcast_to", "pick_last", "argmax_last", "scatter_last", "gather_rows"];

    private static readonly HashSet<string> Sums = ["sum_to", "sum_last", "scatter_add_rows"];

    /// <summary>Whether <paramref name="op"/> has a counting rule.</summary>
    public static bool Covers(string op) => op is "matmul" or "softmax" or "log_softmax" or "fused" || Elementwise.Contains(op) || Free.Contains(op) || Sums.Contains(op);

    /// <summary>FLOPs of <paramref name="node"/> with the symbolic batch dimension set to <paramref name="batch"/>.</summary>
    public static long Flops(Node node, int batch)
    {
        string op = node.Op.Name;
        if (op == "matmul")
        {
            var a = node.Inputs[0].Shape;
            long inner = node.Attributes.I0 == 1 ? Size(a[0], batch) : Size(a[1], batch);
            return 2 * node.Shape.ElementCount(batch) * inner;
        }
        if (op is "softmax" or "log_softmax") return SoftmaxPerElement * node.Shape.ElementCount(batch);
        if (Elementwise.Contains(op)) return node.Shape.ElementCount(batch);
        if (op == "fused") return Passes.FusedProgram.Parse(node.Attributes.Name!).Steps.Count * node.Shape.ElementCount(batch);
        if (Sums.Contains(op)) return node.Inputs[0].Shape.ElementCount(batch);
        if (Free.Contains(op)) return 0;
        throw new InvalidOperationException($"op '{op}' has no FLOP counting rule in {nameof(OpCost)}");
    }

    private static long Size(int dim, int batch) => Shape.ResolveDim(dim, batch);
}
