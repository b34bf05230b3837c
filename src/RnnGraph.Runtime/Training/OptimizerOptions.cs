using System.Globalization;

namespace RnnGraph.Runtime.Training;

/// <summary>The options of one optimizer, with PyTorch's defaults and keyword meanings (the learning rate comes with each step).</summary>
public abstract record OptimizerOptions
{
    /// <summary>The first option PyTorch's constructor would reject, in its words, or null when all are valid.</summary>
    public abstract string? Validate();

    /// <summary>Rejects negatives and NaN, as PyTorch's <c>0.0 &lt;= value</c> checks do.</summary>
    private protected static string? NotNegative(string what, double value) =>
        value >= 0 ? null : string.Create(CultureInfo.InvariantCulture, $"Invalid {what} value: {value}");

    private protected static string? Beta(int index, double value) =>
        value is >= 0 and < 1 ? null : string.Create(CultureInfo.InvariantCulture, $"Invalid beta parameter at index {index}: {value}");
}

/// <summary>Options of <c>torch.optim.SGD</c>.</summary>
public sealed record SgdOptions(double Momentum = 0, double Dampening = 0, bool Nesterov = false, double WeightDecay = 0, bool Maximize = false)
    : OptimizerOptions
{
    /// <inheritdoc/>
    public override string? Validate() =>
        NotNegative("momentum", Momentum) ?? NotNegative("weight_decay", WeightDecay)
        ?? (Nesterov && (Momentum <= 0 || Dampening != 0) ? "Nesterov momentum requires a momentum and zero dampening" : null);
}

/// <summary>Options of <c>torch.optim.Adam</c>: weight decay is an L2 term added to the gradient.</summary>
public sealed record AdamOptions(double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8, double WeightDecay = 0, bool AmsGrad = false, bool Maximize = false)
    : OptimizerOptions
{
    /// <inheritdoc/>
    public override string? Validate() =>
        NotNegative("epsilon", Eps) ?? Beta(0, Beta1) ?? Beta(1, Beta2) ?? NotNegative("weight_decay", WeightDecay);
}

/// <summary>Options of <c>torch.optim.AdamW</c>: weight decay shrinks the parameters directly, decoupled from the gradient.</summary>
public sealed record AdamWOptions(double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8, double WeightDecay = 1e-2, bool AmsGrad = false, bool Maximize = false)
    : OptimizerOptions
{
    /// <inheritdoc/>
    public override string? Validate() =>
        NotNegative("epsilon", Eps) ?? Beta(0, Beta1) ?? Beta(1, Beta2) ?? NotNegative("weight_decay", WeightDecay);
}

/// <summary>Options of <c>torch.optim.RMSprop</c>.</summary>
public sealed record RmsPropOptions(double Alpha = 0.99, double Eps = 1e-8, double WeightDecay = 0, double Momentum = 0, bool Centered = false, bool Maximize = false)
    : OptimizerOptions
{
    /// <inheritdoc/>
    public override string? Validate() =>
        NotNegative("epsilon", Eps) ?? NotNegative("momentum", Momentum) ?? NotNegative("weight_decay", WeightDecay) ?? NotNegative("alpha", Alpha);
}
