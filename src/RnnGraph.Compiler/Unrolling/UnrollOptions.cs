namespace RnnGraph.Compiler.Unrolling;

/// <summary>
/// How to unroll: the number of steps, which initial-state inputs (e.g. <c>h0</c>, <c>c0</c>) are fed (others
/// start at zero), and whether sequences have their own lengths: then a mask input <c>mask[t]</c> [B,1]
/// freezes each sequence's states past its end and zeroes its outputs there (packed-sequence semantics).
/// </summary>
/// <para>With <c>Training</c>, layers with dropout get dropout mask inputs (the trainer draws them); otherwise none.</para>
public sealed record UnrollOptions(int Steps, IReadOnlySet<string>? GivenInitialStates = null, bool Masked = false, bool Training = false)
{
    public bool IsGiven(string name) => GivenInitialStates?.Contains(name) ?? false;

    /// <summary>
    /// Adds a zero-valued input <c>probe.&lt;layer&gt;.l&lt;l&gt;[.reverse][t]</c> [B,H] (<see cref="StateProbes"/>) to every new
    /// first state h_t, so that its gradient is the total derivative dL/dh_t (gradient flow through time). Off by default.
    /// </summary>
    public bool StateProbes { get; init; }

    /// <summary>Encoder-decoder: the decoder's steps (<see cref="Steps"/> are the source's); 0 for as many as the source's.</summary>
    public int TargetSteps { get; init; }

    /// <summary>
    /// Encoder-decoder, training with a teacher forcing ratio below 1: from step 1 on, each example's decoder input is chosen by the
    /// input <c>teacher[t]</c> [B]: 1 takes the reference token, 0 the argmax of the model's previous output.
    /// </summary>
    public bool SampledTeacherForcing { get; init; }

    /// <summary>Encoder-decoder: the whole model (training, scoring), only the encoder (decoding starts) or one decoder step (decoding).</summary>
    public EncoderDecoderPart Part { get; init; }
}

/// <summary>Which part of an encoder-decoder a graph holds (see <see cref="EncoderDecoderNames"/> for its inputs and outputs).</summary>
public enum EncoderDecoderPart
{
    /// <summary>Encoder, bridge and every decoder step, fed the reference tokens: outputs <c>y[t]</c>.</summary>
    Whole,

    /// <summary>Encoder and bridge: outputs the memory, the attention keys and the decoder's initial states.</summary>
    Encoder,

    /// <summary>One decoder step from given states and memory: outputs log-probabilities, new states and attention weights.</summary>
    DecoderStep,
}
