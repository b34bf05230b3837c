namespace RnnGraph.Dsl.Spec;

/// <summary>
/// The schema of the spec in one place: the keys of every mapping the reader knows. Adding a
/// section or an option starts here (then a field in the model and a line in its reader).
/// </summary>
internal static class SpecKeys
{
    // 'model' is not listed as required: its absence gets a message of its own (RG0003) and a
    // cell library file has none.
    public static readonly KeyTable Root = new(required: [], optional: ["model", "cells", "data", "training", "generation"]);

    public static readonly KeyTable Model = new(required: ["inputs", "layers"], optional: ["topology", "pooling", "condition"]);

    /// <summary>
    /// The IO topologies of <c>model.topology</c>: many-to-one pools the last recurrent layer over time, one-to-one
    /// runs every layer once, one-to-many generates a sequence from a fixed-size input, feeding back its output.
    /// </summary>
    public static readonly IReadOnlyList<string> Topologies = ["many-to-many", "many-to-one", "one-to-one", "one-to-many"];

    /// <summary>How one-to-many's fixed-size input enters: with the first step's input, or as the initial states.</summary>
    public static readonly IReadOnlyList<string> Conditions = ["first-step", "state"];

    /// <summary>How many-to-one turns a sequence into one vector.</summary>
    public static readonly IReadOnlyList<string> Poolings = ["last", "mean", "max", "attention"];

    // Exactly one of size and vocab, and one_hot only with vocab: checked by the model reader, not expressible here.
    public static readonly KeyTable Input = new(required: [], optional: ["size", "vocab", "one_hot"]);

    public static readonly KeyTable Rnn = new(
        required: ["cell", "hidden"],
        optional: ["layers", "bidirectional", "merge", "bias", "batch_first", "reset_after", "peepholes", "dropout", "recurrent_dropout", "name"]);

    public static readonly KeyTable Dense = new(required: ["units"], optional: ["activation", "bias", "name"]);

    public static readonly KeyTable Embed = new(required: ["dim"], optional: ["name"]);

    // Exactly one of file and text: checked by the section reader.
    public static readonly KeyTable Data = new(required: [], optional: ["file", "text", "format", "tokenizer", "min_frequency", "validation", "max_tokens", "columns", "window"]);

    public static readonly KeyTable Training = new(
        required: [],
        optional: [
            "epochs", "batch_size", "steps", "optimizer", "learning_rate", "clip_norm", "seed",
            "schedule", "step_size", "gamma", "min_learning_rate", "warmup", "early_stopping", "init", "recompute_every",
        ]);

    public static readonly KeyTable Generation = new(required: [], optional: ["samples", "max_length", "temperature", "prefix"]);

    public static readonly KeyTable Cell = new(required: ["params", "state", "equations", "output"], optional: []);

    /// <summary>The layer kinds, in the order suggested to users.</summary>
    public static readonly IReadOnlyList<string> LayerKinds = ["rnn", "dense", "embed"];

    /// <summary>The cells the compiler's library provides; named here only to explain a misuse such as <c>- lstm: {...}</c>.</summary>
    public static readonly IReadOnlyList<string> BuiltInCells = ["rnn_tanh", "rnn_relu", "gru", "lstm"];

    public static readonly IReadOnlyList<string> Activations = ["none", "softmax", "log_softmax"];

    /// <summary>How a bidirectional layer combines its two directions at each step.</summary>
    public static readonly IReadOnlyList<string> MergeModes = ["concat", "sum", "mul", "ave"];

    /// <summary>How <c>data</c> is cut into sequences: one per line, or one stream in truncated-BPTT windows.</summary>
    public static readonly IReadOnlyList<string> DataFormats = ["lines", "stream", "labelled", "csv"];

    public static readonly IReadOnlyList<string> Tokenizers = ["char", "word"];

    public static readonly IReadOnlyList<string> Optimizers = ["sgd", "adam", "adamw", "rmsprop"];

    /// <summary>Learning-rate schedules over the optimizer steps of a run.</summary>
    public static readonly IReadOnlyList<string> Schedules = ["constant", "step", "cosine"];

    /// <summary>Weight initializations: PyTorch's defaults, Xavier uniform, or Xavier with orthogonal recurrent blocks.</summary>
    public static readonly IReadOnlyList<string> Inits = ["default", "xavier", "orthogonal"];
}
