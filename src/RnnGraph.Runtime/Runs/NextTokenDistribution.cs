using RnnGraph.Compiler.Binding;

namespace RnnGraph.Runtime.Runs;

/// <summary>A language model's output row as next-token probabilities: a softmax head's row as it is, logits through a softmax.</summary>
internal static class NextTokenDistribution
{
    public static bool OutputsProbabilities(BoundModel model) => model.Layers[^1] is BoundDenseLayer { Activation: "softmax" };

    public static float[] From(BoundModel model, ReadOnlySpan<float> row) =>
        OutputsProbabilities(model) ? row.ToArray() : Softmax(row);

    private static float[] Softmax(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = MathF.Max(max, v);
        var e = new float[logits.Length];
        float sum = 0;
        for (int i = 0; i < e.Length; i++) sum += e[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < e.Length; i++) e[i] /= sum;
        return e;
    }
}
