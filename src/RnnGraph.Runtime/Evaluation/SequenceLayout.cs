namespace RnnGraph.Runtime.Evaluation;

/// <summary>
/// Moves per-step slices between a whole sequence tensor ([T,B,F] time-major, or [B,T,F] batch-first)
/// and the graph's per-step [B,F] inputs and outputs.
/// </summary>
public readonly record struct SequenceLayout(int Steps, int Batch, int Features, bool BatchFirst)
{
    public int[] Shape => Features == 0
        ? (BatchFirst ? [Batch, Steps] : [Steps, Batch])
        : (BatchFirst ? [Batch, Steps, Features] : [Steps, Batch, Features]);

    private int Width => Math.Max(Features, 1);

    /// <summary>Copies step <paramref name="t"/> of <paramref name="sequence"/> into <paramref name="step"/> ([B,F]).</summary>
    public void Gather<T>(ReadOnlySpan<T> sequence, int t, Span<T> step)
    {
        int w = Width;
        if (!BatchFirst) { sequence.Slice(t * Batch * w, Batch * w).CopyTo(step); return; }
        for (int b = 0; b < Batch; b++) sequence.Slice((b * Steps + t) * w, w).CopyTo(step.Slice(b * w, w));
    }

    /// <summary>Copies a [B,F] step into step <paramref name="t"/> of <paramref name="sequence"/>.</summary>
    public void Scatter<T>(ReadOnlySpan<T> step, int t, Span<T> sequence)
    {
        int w = Width;
        if (!BatchFirst) { step.CopyTo(sequence.Slice(t * Batch * w, Batch * w)); return; }
        for (int b = 0; b < Batch; b++) step.Slice(b * w, w).CopyTo(sequence.Slice((b * Steps + t) * w, w));
    }
}
