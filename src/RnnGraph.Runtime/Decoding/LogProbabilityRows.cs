namespace RnnGraph.Runtime.Decoding;

/// <summary>Checks what an <see cref="IDecoderStep"/> wrote, so a broken model fails with the row and token named
/// instead of decoding garbage.</summary>
internal static class LogProbabilityRows
{
    /// <summary>Rounding in a log-softmax can give tiny positive values; anything larger is not a log-probability.</summary>
    private const float Tolerance = 1e-4f;

    public static void Check(ReadOnlySpan<float> logProbabilities, int vocabularySize)
    {
        for (int i = 0; i < logProbabilities.Length; i++)
        {
            float value = logProbabilities[i];
            if (float.IsNaN(value) || value > Tolerance)
                throw new InvalidOperationException(
                    $"the decoder step wrote {value} for token {i % vocabularySize} of row {i / vocabularySize}; " +
                    "log-probabilities must be <= 0 (or -infinity) and not NaN");
        }
    }
}
