using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Training;

/// <summary>
/// A training step produced a NaN or an infinity in the loss or the gradients; the update was not applied. Carries where
/// the first non-finite value came from (<see cref="Trainer"/> re-runs the step with every value checked), or null when
/// the re-run found none (then the gradient norm itself overflowed). A user error, reported as <see cref="Code"/>.
/// </summary>
public sealed class NumericFaultException(string message, double loss, bool gradientsFinite, NonFiniteValue? first) : Exception(message)
{
    public const string Code = "RG0302";

    public double Loss { get; } = loss;

    public bool GradientsFinite { get; } = gradientsFinite;

    public NonFiniteValue? First { get; } = first;

    /// <summary>The first value in the backward pass rather than the forward one.</summary>
    public bool InBackward { get; init; }

    /// <summary>The loss and gradients were finite; the optimizer's update made a weight non-finite (it has been applied).</summary>
    public bool InUpdate { get; init; }
}
