namespace RnnGraph.Runtime.Kernels;

/// <summary>
/// A matrix packed once per run for every float32 product that reads it as its right operand: a weight the
/// recurrence multiplies at every step (<c>h W_hhᵀ</c> forward, <c>dG W_hh</c> backward) is otherwise packed again
/// by each of the T products. The executor packs it at the start of a run (weights may change between runs) and the
/// matmul kernels read <see cref="Data"/> instead of packing.
/// </summary>
public sealed class PackedOperand
{
    internal PackedOperand(int slot, int n, int k, bool transposed)
    {
        Slot = slot;
        N = n;
        K = k;
        Transposed = transposed;
        Wide = System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        Data = new float[PackedGemm.PackedSizeB(n, k, Wide)];
    }

    /// <summary>The buffer slot of the matrix (a parameter).</summary>
    public int Slot { get; }

    /// <summary>op(B) is [K, N].</summary>
    public int N { get; }
    public int K { get; }

    /// <summary>Whether the products read the matrix transposed (it is stored [N, K]).</summary>
    public bool Transposed { get; }

    internal bool Wide { get; }
    internal float[] Data { get; }

    /// <summary>Packs the matrix's current values.</summary>
    public void Pack(ReadOnlySpan<float> matrix) => PackedGemm.PackAllB(matrix, N, K, Transposed, Wide, Data);
}
