namespace RnnGraph.Runtime.Decoding;

/// <summary>How a hypothesis' log-probability is normalized by its length before hypotheses are compared.</summary>
public enum LengthPenaltyKind
{
    /// <summary>score = log p (favours short outputs).</summary>
    None,

    /// <summary>score = log p / n, the average log-probability per token.</summary>
    Average,

    /// <summary>score = log p / ((5 + n) / 6)^α (Wu et al. 2016, GNMT).</summary>
    Gnmt,
}

/// <summary>
/// A length penalty: score = log p / <see cref="Divisor"/>(n), where n counts the hypothesis' output tokens including
/// its &lt;eos&gt; (a hypothesis cut at the maximum length has no &lt;eos&gt;). Every divisor is positive and does not
/// fall as n grows, which makes log p / Divisor(max length) an upper bound of what a hypothesis can still reach.
/// </summary>
public readonly record struct LengthPenalty
{
    private LengthPenalty(LengthPenaltyKind kind, double alpha)
    {
        Kind = kind;
        Alpha = alpha;
    }

    public LengthPenaltyKind Kind { get; }

    /// <summary>The exponent of <see cref="LengthPenaltyKind.Gnmt"/>; 0 otherwise.</summary>
    public double Alpha { get; }

    public static LengthPenalty None => new(LengthPenaltyKind.None, 0);

    public static LengthPenalty Average => new(LengthPenaltyKind.Average, 0);

    /// <summary>GNMT's ((5 + n) / 6)^α; α = 0 is <see cref="None"/>, GNMT used α between 0.6 and 1.</summary>
    public static LengthPenalty Gnmt(double alpha)
    {
        if (!double.IsFinite(alpha) || alpha < 0)
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "the GNMT length penalty's alpha must be a finite number >= 0");
        return new LengthPenalty(LengthPenaltyKind.Gnmt, alpha);
    }

    /// <summary>The divisor for a hypothesis of <paramref name="length"/> tokens (at least 1).</summary>
    public double Divisor(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return Kind switch
        {
            LengthPenaltyKind.Average => length,
            LengthPenaltyKind.Gnmt => Math.Pow((5.0 + length) / 6.0, Alpha),
            _ => 1.0,
        };
    }

    /// <summary>The penalized score of a hypothesis with this log-probability and length.</summary>
    public double Score(double logProbability, int length) => logProbability / Divisor(length);

    public override string ToString() => Kind == LengthPenaltyKind.Gnmt ? $"gnmt(alpha={Alpha})" : Kind.ToString().ToLowerInvariant();
}
