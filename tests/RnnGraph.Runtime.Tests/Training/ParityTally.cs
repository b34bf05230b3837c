namespace RnnGraph.Runtime.Tests.Training;

/// <summary>Tallies how far float32 results are from PyTorch's: the tolerance |got-ref| &lt;= 1e-6 + 1e-5*max|ref| per tensor, and exact bit agreement.</summary>
internal sealed class ParityTally
{
    public double MaxAbsDifference { get; private set; }

    /// <summary>The largest difference as a fraction of its tensor's tolerance (above 1 fails).</summary>
    public double WorstToleranceFraction { get; private set; }

    public int BitMismatches { get; private set; }

    public int Count { get; private set; }

    public List<string> Failures { get; } = [];

    public void Add(string what, ReadOnlySpan<float> got, ReadOnlySpan<float> expected)
    {
        if (got.Length != expected.Length)
        {
            Failures.Add($"{what}: {got.Length} elements, expected {expected.Length}");
            return;
        }
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
            double diff = Math.Abs((double)got[i] - expected[i]);
            // NaN on either side counts as an infinite difference.
            maxDiff = Math.Max(maxDiff, double.IsNaN(diff) ? double.PositiveInfinity : diff);
            if (BitConverter.SingleToInt32Bits(got[i]) != BitConverter.SingleToInt32Bits(expected[i])) BitMismatches++;
        }
        double tolerance = 1e-6 + 1e-5 * maxRef;
        Count += expected.Length;
        MaxAbsDifference = Math.Max(MaxAbsDifference, maxDiff);
        WorstToleranceFraction = Math.Max(WorstToleranceFraction, maxDiff / tolerance);
        if (!(maxDiff <= tolerance)) Failures.Add($"{what}: max |got-ref| = {maxDiff:e3} > {tolerance:e3}");
    }

    public override string ToString() =>
        $"max |got-ref| {MaxAbsDifference:e2} ({WorstToleranceFraction:p1} of tolerance), {BitMismatches}/{Count} elements not bit-identical";
}
