namespace RnnGraph.Compiler.Unrolling;

/// <summary>
/// Names of the state probes (<see cref="UnrollOptions.StateProbes"/>): one zero-valued float input
/// <c>probe.&lt;layer&gt;.l&lt;l&gt;[.reverse][t]</c> [B,H] per recurrent layer, stacked index, direction and step,
/// added to the new first state h_t where the step produces it. Its gradient is the total derivative dL/dh_t.
/// </summary>
public static class StateProbes
{
    public const string Prefix = "probe.";

    /// <summary>The probe input's name (its index is the step t).</summary>
    public static string Name(string layer, int stackIndex, int direction) =>
        $"{Prefix}{layer}.l{stackIndex}{(direction == 1 ? ".reverse" : "")}";

    /// <summary>Whether an input name is a state probe's.</summary>
    public static bool IsProbe(string? inputName) => inputName is not null && inputName.StartsWith(Prefix, StringComparison.Ordinal);
}
