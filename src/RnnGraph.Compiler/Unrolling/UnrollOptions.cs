namespace RnnGraph.Compiler.Unrolling;

/// <summary>
/// How to unroll: the number of steps, which initial-state inputs (e.g. <c>h0</c>, <c>c0</c>) are fed (others
/// start at zero), and whether sequences have their own lengths: then a mask input <c>mask[t]</c> [B,1]
/// freezes each sequence's states past its end and zeroes its outputs there (packed-sequence semantics).
/// </summary>
/// <para>With <c>Training</c>, layers with dropout get dropout mask inputs (the trainer draws them); otherwise none.</para>
public sealed record UnrollOptions(int Steps, IReadOnlySet<string>? GivenInitialStates = null, bool Masked = false, bool Training = false)
{
    public bool IsGiven(string name) => GivenInitialStates?.Contains(name) ?? false;

    /// <summary>
    /// Adds a zero-valued input <c>probe.&lt;layer&gt;.l&lt;l&gt;[.reverse][t]</c> [B,H] (<see cref="StateProbes"/>) to every new
    /// first state h_t, so that its gradient is the total derivative dL/dh_t (gradient flow through time). Off by default.
    /// </summary>
    public bool StateProbes { get; init; }
}
