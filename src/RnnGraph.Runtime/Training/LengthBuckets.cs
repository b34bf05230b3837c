namespace RnnGraph.Runtime.Training;

/// <summary>
/// Length buckets for variable-length batches: a <see cref="Trainer"/> compiles and caches one graph per sequence
/// length it is given, so runs pad each masked batch to its bucket's length and compile for a few lengths only.
/// </summary>
public static class LengthBuckets
{
    /// <summary>
    /// The sequence length a padded batch is run at: T rounded up to one of four lengths per octave (8, 10, 12, 14,
    /// 16, 20, 24, 28, 32, 40, ...), so a run compiles a graph for a few dozen lengths at most instead of every length
    /// its data has, at a cost of under 25% (usually about 10%) padded steps, which masks make count for nothing.
    /// </summary>
    public static int Length(int steps)
    {
        if (steps <= 8) return steps;
        int octave = 1 << (31 - int.LeadingZeroCount(steps)); // the power of two at or below steps
        int quantum = octave / 4;
        return (steps + quantum - 1) / quantum * quantum;
    }

    /// <summary>
    /// A masked batch extended to its bucket's length with padding: zero inputs (the &lt;pad&gt; id) and, when the
    /// targets are per step, zero targets; the lengths stay, so the extra steps change neither states nor loss.
    /// </summary>
    public static TrainingBatch Pad(TrainingBatch batch, bool perStepTargets)
    {
        if (batch.Lengths is null) return batch;
        int steps = Length(batch.Steps);
        if (steps == batch.Steps) return batch;
        int per = batch.Inputs.Length / batch.Steps;
        var inputs = new float[steps * per];
        batch.Inputs.CopyTo(inputs, 0);
        var targets = batch.Targets;
        if (perStepTargets)
        {
            targets = new float[batch.Targets.Length / batch.Steps * steps];
            batch.Targets.CopyTo(targets, 0);
        }
        return batch with { Steps = steps, Inputs = inputs, Targets = targets };
    }
}
