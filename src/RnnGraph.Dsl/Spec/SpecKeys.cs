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

    // 'layers' is required for every topology but encoder-decoder, which requires 'encoder', 'decoder' and
    // 'max_output_length' instead: checked by the model reader.
    public static readonly KeyTable Model = new(
        required: ["inputs"],
        optional: ["layers", "topology", "pooling", "condition", "encoder", "decoder", "bridge", "attention", "max_output_length"]);

    /// <summary>
    /// The IO topologies of <c>model.topology</c>: many-to-one pools the last recurrent layer over time, one-to-one
    /// runs every layer once, one-to-many generates a sequence from a fixed-size input, feeding back its output,
    /// encoder-decoder reads a sequence with one stack of layers and generates another with a second.
    /// </summary>
    public static readonly IReadOnlyList<string> Topologies = ["many-to-many", "many-to-one", "one-to-one", "one-to-many", EncoderDecoder];

    public const string EncoderDecoder = "encoder-decoder";

    /// <summary>The keys of <c>model</c> that only <c>topology: encoder-decoder</c> takes.</summary>
    public static readonly IReadOnlyList<string> EncoderDecoderModelKeys = ["encoder", "decoder", "bridge", "attention", "max_output_length"];

    /// <summary>How the encoder's final states become the decoder's initial states.</summary>
    public static readonly IReadOnlyList<string> Bridges = ["none", "copy", "sum", "concat", "dense"];

    /// <summary><c>model.attention</c> as one word: a score function, or none.</summary>
    public static readonly IReadOnlyList<string> AttentionTypes = ["additive", "dot", "general", "none"];

    /// <summary><c>model.attention</c> as a mapping.</summary>
    public static readonly KeyTable Attention = new(required: ["type"], optional: ["units"]);

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
    public static readonly KeyTable Data = new(required: [], optional: ["file", "text", "format", "tokenizer", "min_frequency", "validation", "max_tokens", "columns", "window",
        "target_tokenizer", "validation_file", "test_file"]);

    public static readonly KeyTable Training = new(
        required: [],
        optional: [
            "epochs", "batch_size", "steps", "optimizer", "learning_rate", "clip_norm", "seed",
            "schedule", "step_size", "gamma", "min_learning_rate", "warmup", "early_stopping", "init", "recompute_every",
            "teacher_forcing", "teacher_forcing_schedule", "teacher_forcing_end",
        ]);

    /// <summary>The keys of <c>training</c> that only <c>topology: encoder-decoder</c> takes.</summary>
    public static readonly IReadOnlyList<string> EncoderDecoderTrainingKeys = ["teacher_forcing", "teacher_forcing_schedule", "teacher_forcing_end"];

    public static readonly KeyTable Generation = new(
        required: [],
        optional: ["samples", "max_length", "temperature", "prefix", "beam_width", "length_penalty", "length_penalty_alpha"]);

    /// <summary>The keys of <c>generation</c> that only <c>topology: encoder-decoder</c> takes.</summary>
    public static readonly IReadOnlyList<string> EncoderDecoderGenerationKeys = ["beam_width", "length_penalty", "length_penalty_alpha"];

    public static readonly KeyTable Cell = new(required: ["params", "state", "equations", "output"], optional: []);

    /// <summary>The layer kinds, in the order suggested to users.</summary>
    public static readonly IReadOnlyList<string> LayerKinds = ["rnn", "dense", "embed"];

    /// <summary>The cells the compiler's library provides; named here only to explain a misuse such as <c>- lstm: {...}</c>.</summary>
    public static readonly IReadOnlyList<string> BuiltInCells = ["rnn_tanh", "rnn_relu", "gru", "lstm"];

    public static readonly IReadOnlyList<string> Activations = ["none", "softmax", "log_softmax"];

    /// <summary>How a bidirectional layer combines its two directions at each step.</summary>
    public static readonly IReadOnlyList<string> MergeModes = ["concat", "sum", "mul", "ave"];

    /// <summary>
    /// How <c>data</c> is cut into sequences: one per line, one stream in truncated-BPTT windows, a label and a text
    /// per line, a numeric series, or a source and a target per line (<c>pairs</c>, for encoder-decoder).
    /// </summary>
    public static readonly IReadOnlyList<string> DataFormats = ["lines", "stream", "labelled", "csv", "pairs"];

    public static readonly IReadOnlyList<string> Tokenizers = ["char", "word"];

    public static readonly IReadOnlyList<string> Optimizers = ["sgd", "adam", "adamw", "rmsprop"];

    /// <summary>Learning-rate schedules over the optimizer steps of a run.</summary>
    public static readonly IReadOnlyList<string> Schedules = ["constant", "step", "cosine"];

    /// <summary>How the teacher forcing ratio changes over the epochs of an encoder-decoder run.</summary>
    public static readonly IReadOnlyList<string> TeacherForcingSchedules = ["constant", "linear", "exponential"];

    /// <summary>How beam search scores hypotheses of different lengths.</summary>
    public static readonly IReadOnlyList<string> LengthPenalties = ["none", "average", "gnmt"];

    /// <summary>Weight initializations: PyTorch's defaults, Xavier uniform, or Xavier with orthogonal recurrent blocks.</summary>
    public static readonly IReadOnlyList<string> Inits = ["default", "xavier", "orthogonal"];
}
