using RnnGraph.Compiler.IR;

namespace RnnGraph.Runtime.Tests.Ops;

/// <summary>Where an operand's random values come from, to keep them away from an op's kinks and poles.</summary>
public enum ValueRange
{
    /// <summary>Uniform in [-1, 1].</summary>
    Any,
    /// <summary>Uniform in [0.5, 2] (log's argument).</summary>
    Positive,
    /// <summary>Random sign, magnitude in [0.3, 1.3] (divisors; relu and step stay off their kink at 0).</summary>
    AwayFromZero,
}

/// <summary>One operand of a gradient case: a float input of the given shape, or (with <see cref="Ids"/>) token ids.</summary>
public sealed record Operand(Shape Shape, ValueRange Range = ValueRange.Any, double[]? Ids = null)
{
    public bool IsIds => Ids is not null;
}

/// <summary>
/// One row of the gradient table: an op applied to operands with attributes, checked against central
/// differences with a per-case tolerance on the relative error |analytic - numeric| / max(|analytic|, |numeric|, 1e-3).
/// </summary>
public sealed record OpGradientCase(string Name, string Op, Operand[] Operands, OpAttributes Attributes, double Tolerance = 1e-6)
{
    public override string ToString() => Name;
}
