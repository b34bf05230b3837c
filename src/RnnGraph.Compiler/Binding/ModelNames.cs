namespace RnnGraph.Compiler.Binding;

/// <summary>
/// The CONTRACT names of parameters, initial-state inputs and final-state outputs, in one place.
/// With a single recurrent layer the state names are plain (<c>h0</c>, <c>h_n</c>, <c>c_n</c>);
/// with several they are prefixed by the layer's name (<c>enc.h0</c>).
/// </summary>
public static class ModelNames
{
    /// <summary><c>rnn.weight_ih_l0</c>, <c>rnn.bias_hh_l1_reverse</c>.</summary>
    public static string Parameter(string layer, string param, int stackIndex, int direction) =>
        $"{layer}.{param}_l{stackIndex}{(direction == 1 ? "_reverse" : "")}";

    /// <summary>The first state is <c>h</c> for inputs and outputs whatever the cell calls it; further states keep their names.</summary>
    private static string StateStem(IReadOnlyList<string> states, int stateIndex) => stateIndex == 0 ? "h" : states[stateIndex];

    public static string InitialState(BoundModel model, BoundRnnLayer layer, int stateIndex) =>
        Prefix(model, layer) + StateStem(layer.States, stateIndex) + "0";

    public static string FinalState(BoundModel model, BoundRnnLayer layer, int stateIndex) =>
        Prefix(model, layer) + StateStem(layer.States, stateIndex) + "_n";

    private static string Prefix(BoundModel model, BoundRnnLayer layer) =>
        model.RnnLayers.Count() == 1 ? "" : layer.Name + ".";

    public const string Output = "y";

    /// <summary>The per-step mask input <c>mask[t]</c> [B,1] of variable-length batches.</summary>
    public const string Mask = "mask";

    /// <summary>
    /// one-to-many: the token fed to step t, <c>feedback[t]</c> [B] (ids below the output size): &lt;bos&gt; at step 0,
    /// then the previous step's target (teacher forcing) or sampled token.
    /// </summary>
    public const string Feedback = "feedback";

    /// <summary>one-to-many with <c>condition: state</c>: <c>rnn.condition.weight</c> [L·D·H, C] and <c>rnn.condition.bias</c> [L·D·H].</summary>
    public static string ConditionParameter(string layer, string param) => $"{layer}.condition.{param}";
}

/// <summary>
/// The inputs and outputs of encoder-decoder graphs besides the source input (the model input, <c>x[j]</c>) and its masks
/// <c>mask[j]</c>; j counts source steps, t decoder steps, l the decoder's stacked layers.
/// </summary>
public static class EncoderDecoderNames
{
    /// <summary><c>decoder_input[t]</c> [B]: the token the decoder reads at step t (&lt;bos&gt;, then the reference).</summary>
    public const string DecoderInput = "decoder_input";

    /// <summary><c>teacher[t]</c> [B], t ≥ 1: 1 feeds the reference token, 0 the argmax of the previous output.</summary>
    public const string Teacher = "teacher";

    /// <summary><c>target_mask[t]</c> [B,1]: 1 where step t has a target (the loss counts it), 0 past the target's end.</summary>
    public const string TargetMask = "target_mask";

    /// <summary><c>memory[j]</c> [B,E]: the encoder's output at source step j.</summary>
    public const string Memory = "memory";

    /// <summary><c>keys[j]</c> [B,A]: the attention's projection of memory[j], computed once per source (additive, general).</summary>
    public const string Keys = "keys";

    /// <summary><c>state.h[l]</c> (and <c>state.c[l]</c>): the decoder's states, initial ones from the encoder part, new ones from a step.</summary>
    public static string State(string stem) => "state." + stem;

    /// <summary><c>feed</c> [B,H]: Luong attention's attentional vector, fed to the next step's input (zeros before the first).</summary>
    public const string Feed = "feed";

    /// <summary><c>attention</c> [B,S]: a decoder step's attention weights over the source steps.</summary>
    public const string Attention = "attention";

    /// <summary>The decoder state names as inputs and outputs: <c>h</c> for the first state, the cell's names for the others.</summary>
    public static string StateStem(BoundRnnLayer layer, int state) => state == 0 ? "h" : layer.States[state];
}
