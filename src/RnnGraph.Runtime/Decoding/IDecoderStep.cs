namespace RnnGraph.Runtime.Decoding;

/// <summary>
/// One step of an autoregressive decoder over a batch of rows, for <see cref="GreedyDecoder"/> and
/// <see cref="BeamSearchDecoder"/>. The model keeps one decoder state per row ("slot"); the decoding algorithm
/// says which source each slot starts from, feeds one token per slot per call, and rearranges the slots between
/// calls. A batched model evaluates all rows of a <see cref="Step"/> call at once: beam search over B sources with
/// width k makes one call per output position for all (at most B·k) live hypotheses.
/// </summary>
public interface IDecoderStep
{
    /// <summary>Number of output tokens V: <see cref="Step"/> writes V log-probabilities per row.</summary>
    int VocabularySize { get; }

    /// <summary>
    /// Discards every slot and creates <c>sources.Length</c> new ones: slot i holds the decoder's initial state for
    /// source <c>sources[i]</c> (an index into the batch of inputs the model was given, e.g. after encoding them).
    /// </summary>
    void Start(ReadOnlySpan<int> sources);

    /// <summary>
    /// Feeds <c>tokens[i]</c> to slot i for every slot (<c>tokens.Length</c> equals the number of slots), advances
    /// each slot's state, and writes row i of <paramref name="logProbabilities"/> (<c>[slots, V]</c>, row-major):
    /// log p(next token | source, tokens fed to slot i so far). Impossible tokens may be -∞; values must not be NaN
    /// or above 0.
    /// </summary>
    void Step(ReadOnlySpan<int> tokens, Span<float> logProbabilities);

    /// <summary>
    /// Replaces the slots by <c>parents.Length</c> new ones: new slot i is a copy of the current slot
    /// <c>parents[i]</c>'s state. Parents may repeat (a hypothesis with several continuations) or be left out
    /// (a finished or pruned one).
    /// </summary>
    void Reorder(ReadOnlySpan<int> parents);
}
