using System.Numerics;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Kernels;

/// <summary>
/// Maps every op of the compiler's op table to its kernel, for float and double. Adding an op is one
/// entry here; a test fails when an op has no kernel. Leaves (input, param, const, zeros) are filled
/// by the executor, not by kernels.
/// </summary>
public static class KernelTable<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly Dictionary<string, Kernel<T>> Table = new(StringComparer.Ordinal)
    {
        ["add"] = ElementwiseKernels<T>.Add,
        ["sub"] = ElementwiseKernels<T>.Subtract,
        ["mul"] = ElementwiseKernels<T>.Multiply,
        ["div"] = ElementwiseKernels<T>.Divide,
        ["maximum"] = ElementwiseKernels<T>.Maximum,
        ["neg"] = ElementwiseKernels<T>.Negate,
        ["tanh"] = ElementwiseKernels<T>.Tanh,
        ["sigmoid"] = ElementwiseKernels<T>.Sigmoid,
        ["relu"] = ElementwiseKernels<T>.Relu,
        ["step"] = ElementwiseKernels<T>.Step,
        ["exp"] = ElementwiseKernels<T>.Exp,
        ["log"] = ElementwiseKernels<T>.Log,
        ["softmax"] = RowKernels<T>.Softmax,
        ["log_softmax"] = RowKernels<T>.LogSoftmax,
        ["softplus"] = ElementwiseKernels<T>.Softplus,
        ["fused"] = FusedKernel<T>.Run,
        ["pick_last"] = EmbeddingKernels<T>.PickLast,
        ["argmax_last"] = EmbeddingKernels<T>.ArgmaxLast,
        ["scatter_last"] = EmbeddingKernels<T>.ScatterLast,
        ["sum_last"] = RowKernels<T>.SumLast,
        ["matmul"] = MatMulKernel<T>.Run,
        ["slice_last"] = RowKernels<T>.SliceLast,
        ["pad_last"] = RowKernels<T>.PadLast,
        ["concat_last"] = RowKernels<T>.ConcatLast,
        ["slice_rows"] = RowKernels<T>.SliceRows,
        ["pad_rows"] = RowKernels<T>.PadRows,
        ["concat_rows"] = RowKernels<T>.ConcatRows,
        ["sum_to"] = BroadcastKernels<T>.SumTo,
        ["broadcast_to"] = BroadcastKernels<T>.BroadcastTo,
        ["gather_rows"] = EmbeddingKernels<T>.GatherRows,
        ["scatter_add_rows"] = EmbeddingKernels<T>.ScatterAddRows,
    };

    /// <summary>Ops whose values the executor sets itself.</summary>
    public static readonly IReadOnlySet<string> LeafOps = new HashSet<string> { "input", "param", "const", "zeros" };

    public static bool TryGet(string op, out Kernel<T> kernel) => Table.TryGetValue(op, out kernel!);

    public static IEnumerable<string> Ops => Table.Keys;
}
