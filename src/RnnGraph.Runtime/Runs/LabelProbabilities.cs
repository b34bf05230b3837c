namespace RnnGraph.Runtime.Runs;

/// <summary>A classifier's label probabilities from its outputs for one sequence.</summary>
public static class LabelProbabilities
{
    /// <summary>Softmax over K logits; for a single logit (binary cross-entropy), [1 - sigmoid, sigmoid].</summary>
    public static double[] From(ReadOnlySpan<float> logits)
    {
        if (logits.Length == 1)
        {
            double p = 1 / (1 + Math.Exp(-logits[0]));
            return [1 - p, p];
        }
        double max = double.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        var e = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < e.Length; i++) sum += e[i] = Math.Exp(logits[i] - max);
        for (int i = 0; i < e.Length; i++) e[i] /= sum;
        return e;
    }
}
