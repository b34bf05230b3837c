namespace RnnGraph.Runtime.Training;

/// <summary>PyTorch 1.13's float32 CPU element formulas, rounded exactly where its kernels round, so optimizer steps match bit for bit.</summary>
/// <remarks>
/// Checked against PyTorch's AVX2 build: <c>add</c> with alpha is <c>fmadd(y, alpha, x)</c> and <c>addcmul</c>
/// fuses its last multiply into the add (GCC contracts the scalar tails the same way), while <c>addcdiv</c>
/// rounds the product, the quotient and the sum. Python float scalars reach the kernels rounded to float32.
/// </remarks>
internal static class TorchArithmetic
{
    /// <summary><c>x.add(y, alpha=alpha)</c>: one rounding.</summary>
    public static float Add(float x, float y, float alpha) => MathF.FusedMultiplyAdd(y, alpha, x);

    /// <summary><c>x.addcmul(t1, t2, value=value)</c>: <c>value*t1</c> rounded, then fused times <c>t2</c> plus <c>x</c>.</summary>
    public static float AddCMul(float x, float t1, float t2, float value) => MathF.FusedMultiplyAdd(value * t1, t2, x);

    /// <summary><c>x.addcdiv(t1, t2, value=value)</c>: <c>x + (value*t1)/t2</c>, each operation rounded.</summary>
    public static float AddCDiv(float x, float t1, float t2, float value) => x + value * t1 / t2;
}
