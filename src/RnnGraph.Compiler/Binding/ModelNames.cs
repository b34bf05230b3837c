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
