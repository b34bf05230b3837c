namespace RnnGraph.Runtime.Decoding;

/// <summary>
/// One decoded output sequence: its tokens (without &lt;eos&gt;), whether it ended with &lt;eos&gt; (false when it was
/// cut at the maximum length), the sum of the step log-probabilities of its tokens (&lt;eos&gt; included when it
/// ended), and the score decoding ranked it by (the log-probability with the length penalty applied).
/// </summary>
public sealed record Hypothesis(IReadOnlyList<int> Tokens, bool EndedWithEos, double LogProbability, double Score)
{
    /// <summary>The length the length penalty counts: the tokens plus the &lt;eos&gt;, if any.</summary>
    public int Length => Tokens.Count + (EndedWithEos ? 1 : 0);
}
