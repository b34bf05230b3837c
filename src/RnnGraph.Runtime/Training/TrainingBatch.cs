namespace RnnGraph.Runtime.Training;

/// <summary>
/// One batch for a training step, time-major: <see cref="Inputs"/> is [T,B] token ids or [T,B,I] features,
/// <see cref="Targets"/> is [T,B] class ids (cross-entropy) or [T,B,O] values — for a many-to-one model [B] or [B,O]; <see cref="Lengths"/> [B]
/// gives each sequence's length (padding beyond it counts for nothing), or null when all run T steps.
/// </summary>
/// <para><see cref="InitialStates"/> carries recurrent states in (truncated BPTT over a stream): by initial-state
/// input name (<c>h0</c>, <c>c0</c>), each [L·D,B,H]; they are inputs, so no gradient flows back into them.</para>
/// <para>One-to-one: <see cref="Steps"/> is 1, <see cref="Inputs"/> [B,I] features or [B] ids, <see cref="Targets"/> [B] or [B,O].
/// One-to-many: <see cref="Condition"/> is the fixed-size input [B,C], <see cref="Inputs"/> the fed-back token ids [T,B]
/// (&lt;bos&gt;, then the targets shifted by one step: teacher forcing) and <see cref="Targets"/> [T,B] as for many-to-many.</para>
public sealed record TrainingBatch(int Steps, int Batch, float[] Inputs, float[] Targets, int[]? Lengths = null,
                                   IReadOnlyDictionary<string, float[]>? InitialStates = null)
{
    /// <summary>One-to-many only: the condition vectors [B,C] (row-major), one per sequence.</summary>
    public float[]? Condition { get; init; }

    /// <summary>
    /// Encoder-decoder: the decoder's steps T. <see cref="Inputs"/> are then the source ids [S,B] (S = <see cref="Steps"/>,
    /// <see cref="Lengths"/> the source lengths), <see cref="Targets"/> the target ids [T,B] (&lt;eos&gt; last, 0 past it).
    /// </summary>
    public int TargetSteps { get; init; }

    /// <summary>Encoder-decoder: the decoder's input ids [T,B]: &lt;bos&gt;, then the targets shifted by one step.</summary>
    public float[]? DecoderInputs { get; init; }

    /// <summary>Encoder-decoder: the number of targets of each example (&lt;eos&gt; included) [B]; the loss counts only these.</summary>
    public int[]? TargetLengths { get; init; }

    /// <summary>
    /// Encoder-decoder with a teacher forcing ratio below 1: [T,B], 1 where step t is fed the reference token, 0 where it is fed
    /// the argmax of the model's previous output (row 0 is unused: the first step always reads &lt;bos&gt;); null feeds every reference.
    /// </summary>
    public float[]? Teacher { get; init; }

    /// <summary>
    /// A one-to-many batch by teacher forcing: each sequence's tokens (without &lt;bos&gt;/&lt;eos&gt;) become targets
    /// <c>tokens..., eos</c> and fed-back inputs <c>bos, tokens...</c>, time-major and padded to the longest.
    /// </summary>
    public static TrainingBatch TeacherForced(IReadOnlyList<IReadOnlyList<int>> sequences, float[] condition, int bos, int eos, int pad = 0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ArgumentException("no sequences", nameof(sequences));
        int batch = sequences.Count, steps = sequences.Max(s => s.Count) + 1;
        var inputs = new float[steps * batch];
        var targets = new float[steps * batch];
        var lengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            var tokens = sequences[b];
            lengths[b] = tokens.Count + 1;
            for (int t = 0; t < steps; t++)
            {
                inputs[t * batch + b] = t == 0 ? bos : t <= tokens.Count ? tokens[t - 1] : pad;
                targets[t * batch + b] = t < tokens.Count ? tokens[t] : t == tokens.Count ? eos : pad;
            }
        }
        bool padded = lengths.Any(l => l != steps);
        return new TrainingBatch(steps, batch, inputs, targets, padded ? lengths : null) { Condition = condition };
    }
}
