namespace RnnGraph.Compiler.Unrolling;

/// <summary>How to unroll: the number of steps and which initial-state inputs (e.g. <c>h0</c>, <c>c0</c>) are fed; others start at zero.</summary>
public sealed record UnrollOptions(int Steps, IReadOnlySet<string>? GivenInitialStates = null)
{
    public bool IsGiven(string name) => GivenInitialStates?.Contains(name) ?? false;
}
