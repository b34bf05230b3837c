namespace RnnGraph.Runtime.Training;

/// <summary>Gradient clipping as <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>, in place on the gradients.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so their total norm (2 or infinity) is at most <paramref name="maxNorm"/>
    /// and returns the total norm before clipping, as PyTorch's float32 tensor would hold it.
    /// </summary>
    public static float ClipByNorm(ParameterSet parameters, double maxNorm, double normType = 2)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        bool infinity = double.IsPositiveInfinity(normType);
        if (normType != 2 && !infinity)
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "only the 2-norm and the infinity norm are supported");
        if (parameters.Count == 0) return 0f;

        float total = infinity ? MaxAbs(parameters) : StackedNorm2(parameters);
        // PyTorch: max_norm / (total + 1e-6) is Tensor.__rtruediv__, a reciprocal then a multiply, all
        // float32, clamped to 1 (a NaN norm stays NaN) and multiplied in even when it is exactly 1.
        float coefficient = MathF.Min(1f / (total + (float)1e-6) * (float)maxNorm, 1f);
        foreach (var parameter in parameters)
            System.Numerics.Tensors.TensorPrimitives.Multiply(parameter.Grad, coefficient, parameter.Grad);
        return total;
    }

    /// <summary>Clamps every gradient element into [-<paramref name="clipValue"/>, <paramref name="clipValue"/>]; NaN stays NaN.</summary>
    public static void ClipByValue(ParameterSet parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "the clip value must be a number >= 0");
        float limit = (float)clipValue;
        foreach (var parameter in parameters)
        {
            var grad = parameter.Grad;
            for (int i = 0; i < grad.Length; i++) grad[i] = Math.Clamp(grad[i], -limit, limit);
        }
    }

    /// <summary>The largest |gradient element|, NaN if any is NaN (torch.max propagates it).</summary>
    private static float MaxAbs(ParameterSet parameters)
    {
        float max = 0f;
        foreach (var parameter in parameters)
        {
            if (parameter.Length > 0)
                max = MathF.Max(max, MathF.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<float>(parameter.Grad)));
        }
        return max;
    }

    /// <summary>PyTorch's <c>norm(stack([norm(g) for g in grads]))</c>: per-tensor norms, then the norm of those.</summary>
    private static float StackedNorm2(ParameterSet parameters)
    {
        const int StackLimit = 512;
        Span<float> norms = parameters.Count <= StackLimit ? stackalloc float[parameters.Count] : new float[parameters.Count];
        for (int i = 0; i < parameters.Count; i++) norms[i] = TorchNorm2(parameters[i].Grad);
        return TorchNorm2(norms);
    }

    /// <summary>
    /// The float32 2-norm summed in the order of PyTorch 1.13's AVX2 CPU kernel, so totals match it bit for bit:
    /// eight running sums of fused squares over whole groups of eight, added lane by lane, then the rest
    /// (GCC compiled that tail loop so a block of four rounds each square and the last up to three fuse).
    /// </summary>
    internal static float TorchNorm2(ReadOnlySpan<float> x)
    {
        const int Lanes = 8;
        Span<float> lanes = stackalloc float[Lanes];
        lanes.Clear();
        int body = x.Length - x.Length % Lanes;
        for (int d = 0; d < body; d += Lanes)
        {
            for (int j = 0; j < Lanes; j++) lanes[j] = MathF.FusedMultiplyAdd(x[d + j], x[d + j], lanes[j]);
        }
        float sum = lanes[0];
        for (int j = 1; j < Lanes; j++) sum += lanes[j];
        int tail = x.Length - body;
        int fusedFrom = body + tail - tail % 4;
        for (int i = body; i < fusedFrom; i++) sum += x[i] * x[i];
        for (int i = fusedFrom; i < x.Length; i++) sum = MathF.FusedMultiplyAdd(x[i], x[i], sum);
        return MathF.Sqrt(sum);
    }
}
