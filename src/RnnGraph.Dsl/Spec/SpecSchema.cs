using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RnnGraph.Dsl.Spec;

/// <summary>
/// The JSON Schema (draft-07) of a spec, for editors with the YAML language server
/// (<c>rnngraph schema &gt; docs/rnngraph.schema.json</c>). The keys of every mapping and which are
/// required come from <see cref="SpecKeys"/>; only the type of each value is said here, so a key
/// added to a table without a type here fails <see cref="Generate"/> (and a test).
/// </summary>
public static partial class SpecSchema
{
    private const string NamePattern = "^[A-Za-z_][A-Za-z0-9_]*$";

    /// <summary>Every mapping of the spec by its definition name; layer kinds are named after the kind.</summary>
    internal static readonly IReadOnlyList<(string Name, KeyTable Keys)> Tables =
    [
        ("root", SpecKeys.Root),
        ("model", SpecKeys.Model),
        ("input", SpecKeys.Input),
        ("rnn", SpecKeys.Rnn),
        ("dense", SpecKeys.Dense),
        ("embed", SpecKeys.Embed),
        ("data", SpecKeys.Data),
        ("training", SpecKeys.Training),
        ("generation", SpecKeys.Generation),
        ("cell", SpecKeys.Cell),
        ("attention", SpecKeys.Attention),
    ];

    /// <summary>The value type of every key, per table: adding a key to <see cref="SpecKeys"/> means adding its type here.</summary>
    private static readonly Dictionary<string, Dictionary<string, Func<JsonObject>>> Types = new(StringComparer.Ordinal)
    {
        ["root"] = new(StringComparer.Ordinal)
        {
            ["model"] = () => Ref("model", "The network: its inputs and its layers."),
            ["cells"] = () => new JsonObject
            {
                ["description"] = "User cells written as equations, by name; a layer uses one with rnn: { cell: NAME }.",
                ["type"] = "object",
                ["propertyNames"] = new JsonObject { ["pattern"] = NamePattern },
                ["additionalProperties"] = new JsonObject { ["$ref"] = "#/definitions/cell" },
            },
            ["data"] = () => Ref("data", "The text rnngraph run trains on: a file or inline text, cut into token sequences."),
            ["training"] = () => Section("training", "How rnngraph run trains; an empty section means every default."),
            ["generation"] = () => Section("generation", "How many samples rnngraph run draws after training, and how."),
        },
        ["model"] = new(StringComparer.Ordinal)
        {
            ["topology"] = () => Enum(SpecKeys.Topologies, "many-to-many: an output at every step; many-to-one: the last recurrent layer is pooled over time into one vector; one-to-one: one step per example, every layer runs once; one-to-many: a sequence generated from a fixed-size input, each step fed back the previous output token; encoder-decoder: the encoder's layers read the input sequence and the decoder's generate the output sequence (data format: pairs). Default many-to-many."),
            ["pooling"] = () => Enum(SpecKeys.Poolings, "many-to-one only: last (each direction's last valid output), mean, max or attention. Default last."),
            ["condition"] = () => Enum(SpecKeys.Conditions, "one-to-many only: first-step (the input joins the first step's input, zeros later) or state (it sets the first rnn layer's initial h through tanh(W c + b)). Default first-step."),
            ["inputs"] = () => new JsonObject
            {
                ["description"] = "Exactly one input (for now), by name: { size: N } for float features or { vocab: N } for token ids.",
                ["type"] = "object",
                ["minProperties"] = 1,
                ["propertyNames"] = new JsonObject { ["pattern"] = NamePattern },
                ["additionalProperties"] = new JsonObject { ["$ref"] = "#/definitions/input" },
            },
            ["layers"] = () => LayerList("A list; each item is a one-key mapping whose key is the layer kind (rnn, dense, embed). Required, except with topology: encoder-decoder, which has encoder and decoder instead."),
            ["encoder"] = () => LayerList("encoder-decoder only (required there): the layers that read the input, listed like layers."),
            ["decoder"] = () => LayerList("encoder-decoder only (required there): the layers that generate the output, listed like layers: an optional embed, one rnn, then dense layers, the last scoring the output vocabulary (units: auto)."),
            ["bridge"] = () => Enum(SpecKeys.Bridges, "encoder-decoder only: how the encoder's final states become the decoder's initial states: none, copy, sum, concat or dense. Default concat if the encoder is bidirectional, else copy."),
            ["attention"] = () => new JsonObject
            {
                ["description"] = "encoder-decoder only: attention over the encoder's outputs, additive (Bahdanau's), dot or general (Luong's) or none; or a mapping { type: additive, units: N }. Default none.",
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["type"] = "string", ["enum"] = Strings(SpecKeys.AttentionTypes) },
                    new JsonObject { ["$ref"] = "#/definitions/attention" }),
            },
            ["max_output_length"] = () => PositiveInteger("encoder-decoder only (required there): the most decoder steps of a decoded output, its tokens and <eos>."),
        },
        ["attention"] = new(StringComparer.Ordinal)
        {
            ["type"] = () => Enum(SpecKeys.AttentionTypes, "additive (Bahdanau's), dot or general (Luong's), or none."),
            ["units"] = () => PositiveInteger("type: additive only: the width of the score layer. Default the decoder's hidden size."),
        },
        ["input"] = new(StringComparer.Ordinal)
        {
            ["size"] = () => PositiveInteger("Float features per step (tensor [T,B,size])."),
            ["vocab"] = () => PositiveIntegerOrAuto("Number of token ids (tensor [T,B]); auto takes the size of the vocabulary built from data:."),
            ["one_hot"] = () => Boolean("vocab inputs only: true feeds each token id to the next layer as a one-hot vector; false needs an embed layer next. Default false."),
        },
        ["rnn"] = new(StringComparer.Ordinal)
        {
            ["cell"] = () => new JsonObject
            {
                ["description"] = "rnn_tanh, rnn_relu, gru, lstm, or a cell declared under cells:.",
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["enum"] = Strings(SpecKeys.BuiltInCells) },
                    new JsonObject { ["type"] = "string", ["pattern"] = NamePattern }),
                ["examples"] = Strings(SpecKeys.BuiltInCells),
            },
            ["hidden"] = () => PositiveInteger("Hidden size H."),
            ["layers"] = () => PositiveInteger("Stacked layers; layer l > 0 takes the D·H outputs of layer l-1. Default 1."),
            ["bidirectional"] = () => Boolean("D = 2: a reverse direction, outputs concatenated [fwd, bwd]. Default false."),
            ["dropout"] = () => Fraction("While training: drop each output of a stacked layer but the last with this probability. Default 0."),
            ["recurrent_dropout"] = () => Fraction("While training: one dropout mask per sequence on h[t-1] where it enters a matrix product. Default 0."),
            ["merge"] = () => Enum(SpecKeys.MergeModes, "Bidirectional only: how the directions combine at each step. Default concat."),
            ["bias"] = () => Boolean("false drops every cell parameter whose name starts with bias. Default true."),
            ["batch_first"] = () => Boolean("Sequence tensors are [B,T,...] instead of [T,B,...]. Default false."),
            ["reset_after"] = () => Boolean("gru only: false selects the original GRU (reset before the hidden matmul). Default true."),
            ["peepholes"] = () => Boolean("lstm only: peephole connections as in the ONNX LSTM operator. Default false."),
            ["name"] = LayerName,
        },
        ["dense"] = new(StringComparer.Ordinal)
        {
            ["units"] = () => PositiveIntegerOrAuto("Number of units; auto gives one unit per vocabulary entry."),
            ["activation"] = () => Enum(SpecKeys.Activations, "Applied at every step. Default none."),
            ["bias"] = () => Boolean("Default true."),
            ["name"] = LayerName,
        },
        ["embed"] = new(StringComparer.Ordinal)
        {
            ["dim"] = () => PositiveInteger("Embedding dimension; must come right after an input declared with vocab:."),
            ["name"] = LayerName,
        },
        ["data"] = new(StringComparer.Ordinal)
        {
            ["file"] = () => NonEmptyString("The text to train on: a path relative to the spec file."),
            ["text"] = () => NonEmptyString("The text inline (a | block scalar keeps its lines)."),
            ["format"] = () => Enum(SpecKeys.DataFormats, "lines: each non-blank line is one sequence; stream: one token stream cut into windows of training.steps tokens; labelled: label<TAB>text per line, for classification (many-to-one) and conditional generation (one-to-many); csv: a numeric series, one row per time step, for forecasting; pairs: source<TAB>target per line, for encoder-decoder. Default lines."),
            ["tokenizer"] = () => Enum(SpecKeys.Tokenizers, "char: one token per character; word: words and single punctuation marks, lowercased (format: pairs: the source side). Default char."),
            ["min_frequency"] = () => PositiveInteger("Tokens seen fewer times than this in the training part become <unk>. Default 1."),
            ["validation"] = () => Fraction("The fraction of the data held out for the validation loss, in [0, 1); 0 disables it. Not with validation_file. Default 0.1."),
            ["max_tokens"] = () => PositiveInteger("lines and labelled: keep only the first this many tokens of each line. Default: all."),
            ["columns"] = () => new JsonObject
            {
                ["description"] = "csv: the numeric columns to read (header names), in order; the model reads them at every step and predicts their next values. Default: every column.",
                ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string", ["minLength"] = 1 },
                    new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 } }),
            },
            ["window"] = () => PositiveInteger("csv: the rows (time steps) of one example. Default 32."),
            ["target_tokenizer"] = () => Enum(SpecKeys.Tokenizers, "format: pairs only: how the target side (after the tab) is tokenized, char or word. Default word."),
            ["validation_file"] = () => NonEmptyString("Held-out examples for the validation loss in a file of the same format (a path relative to the spec file), instead of a validation share of file."),
            ["test_file"] = () => NonEmptyString("Test examples in a file of the same format (a path relative to the spec file), scored once after training with the kept weights."),
        },
        ["training"] = new(StringComparer.Ordinal)
        {
            ["epochs"] = () => PositiveInteger("Passes over the training data. Default 10."),
            ["batch_size"] = () => PositiveInteger("Sequences (or parallel streams) per batch. Default 32."),
            ["steps"] = () => PositiveInteger("format: stream only: the window length T of truncated BPTT. Default 32."),
            ["optimizer"] = () => Enum(SpecKeys.Optimizers, "Default adam."),
            ["learning_rate"] = () => PositiveNumber("Default 0.002."),
            ["clip_norm"] = () => new JsonObject
            {
                ["description"] = "Gradients are rescaled so their global L2 norm is at most this; none (the default) disables clipping.",
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["type"] = "number", ["exclusiveMinimum"] = 0 },
                    new JsonObject { ["const"] = "none" }),
            },
            ["seed"] = () => new JsonObject
            {
                ["description"] = "Seeds the weight initialization, the validation split, batch shuffling and sampling. Default 1.",
                ["type"] = "integer",
                ["minimum"] = 0,
            },
            ["schedule"] = () => Enum(SpecKeys.Schedules, "How the learning rate changes over the optimizer steps: constant; step multiplies it by gamma every step_size steps; cosine anneals it to min_learning_rate by the end of the run. Default constant."),
            ["step_size"] = () => PositiveInteger("schedule: step: optimizer steps between decays. Default the batches of one epoch."),
            ["gamma"] = () => PositiveNumber("schedule: step: the factor of each decay. Default 0.1."),
            ["min_learning_rate"] = () => new JsonObject
            {
                ["description"] = "schedule: cosine: the rate the cosine ends at (eta_min). Default 0.",
                ["type"] = "number",
                ["minimum"] = 0,
            },
            ["warmup"] = () => new JsonObject
            {
                ["description"] = "Optimizer steps of linear warmup (from a third of the rate) before the schedule starts; 0 (the default) for none.",
                ["type"] = "integer",
                ["minimum"] = 0,
            },
            ["early_stopping"] = () => PositiveInteger("Stop when the validation loss has not improved for this many epochs, keeping the best epoch's weights; needs data.validation > 0. Default off."),
            ["init"] = () => Enum(SpecKeys.Inits, "Weight initialization, seeded by seed: default is PyTorch's; xavier draws 2-D weights from U(-a, a), a = sqrt(6 / (fan_in + fan_out)), with zero biases; orthogonal is xavier with an orthogonal matrix per gate block of the recurrent weights. Embeddings are N(0, 1) in all three. Default default."),
            ["recompute_every"] = () => PositiveInteger("Checkpointed BPTT for long sequences: keep only every k-th step's states in the forward pass and recompute each k-step segment during the backward pass (memory about T/k + k steps instead of T). Same loss and gradients. Default off."),
            ["teacher_forcing"] = () => Ratio("encoder-decoder only: the share of decoder steps fed the reference token instead of the model's own prediction, in [0, 1]. Default 1."),
            ["teacher_forcing_schedule"] = () => Enum(SpecKeys.TeacherForcingSchedules, "encoder-decoder only: constant keeps teacher_forcing; linear and exponential decay it over the epochs to teacher_forcing_end. Default constant."),
            ["teacher_forcing_end"] = () => Ratio("teacher_forcing_schedule linear or exponential only (required there): the teacher forcing ratio at the last epoch, in [0, 1]; above 0 for exponential."),
        },
        ["generation"] = new(StringComparer.Ordinal)
        {
            ["samples"] = () => PositiveInteger("How many samples to draw after training. Default 10."),
            ["max_length"] = () => PositiveInteger("At most this many tokens per sample. Default 40."),
            ["temperature"] = () => PositiveNumber("Divides the logits before sampling: below 1 is more conservative, above 1 more varied. Default 1.0."),
            ["prefix"] = () => new JsonObject
            {
                ["description"] = "Text every sample starts from, tokenized like the data (quote it to keep spaces).",
                ["type"] = "string",
            },
            ["beam_width"] = () => PositiveInteger("encoder-decoder only: the beam width of decoding; 1 decodes greedily. Default 1."),
            ["length_penalty"] = () => Enum(SpecKeys.LengthPenalties, "encoder-decoder only: how beam search compares outputs of different lengths: none (the sum of the tokens' log-probabilities), average (divided by the length) or gnmt (divided by ((5 + length) / 6)^alpha). Default none."),
            ["length_penalty_alpha"] = () => new JsonObject
            {
                ["description"] = "length_penalty: gnmt only: its alpha, a number at least 0. Default 0.6.",
                ["type"] = "number",
                ["minimum"] = 0,
            },
        },
        ["cell"] = new(StringComparer.Ordinal)
        {
            ["params"] = () => new JsonObject
            {
                ["description"] = "Parameter shapes by name, over hidden, input and integers (+ - * /), e.g. weight_ih: [2*hidden, input]; empty for none.",
                ["type"] = new JsonArray("object", "null"),
                ["propertyNames"] = new JsonObject { ["pattern"] = NamePattern },
                ["additionalProperties"] = new JsonObject
                {
                    ["type"] = "array",
                    ["minItems"] = 1,
                    ["items"] = new JsonObject
                    {
                        ["anyOf"] = new JsonArray(
                            new JsonObject { ["type"] = "integer", ["minimum"] = 1 },
                            new JsonObject { ["type"] = "string", ["minLength"] = 1 }),
                    },
                },
            },
            ["state"] = () => new JsonObject
            {
                ["description"] = "The cell's states, each of size hidden; s[t-1] in the equations is the previous value of state s.",
                ["type"] = "array",
                ["minItems"] = 1,
                ["uniqueItems"] = true,
                ["items"] = new JsonObject { ["type"] = "string", ["pattern"] = NamePattern },
            },
            ["equations"] = () => new JsonObject
            {
                ["description"] = "One definition per line (equations: |), e.g. h = tanh(weight_ih @ x + weight_hh @ h[t-1]).",
                ["type"] = "string",
            },
            ["output"] = () => new JsonObject
            {
                ["description"] = "The value passed up the stack (usually a state).",
                ["type"] = "string",
                ["pattern"] = NamePattern,
            },
        },
    };

    /// <summary>Keys of <see cref="Tables"/> with no type here, as "table.key": empty unless the schema lags behind <see cref="SpecKeys"/>.</summary>
    internal static IReadOnlyList<string> UntypedKeys() =>
        [.. Tables.SelectMany(t => t.Keys.All
            .Where(k => !Types.TryGetValue(t.Name, out var keys) || !keys.ContainsKey(k))
            .Select(k => $"{t.Name}.{k}"))];

    /// <summary>Types given here for keys no table has, as "table.key": empty unless a key was removed from <see cref="SpecKeys"/>.</summary>
    internal static IReadOnlyList<string> StaleTypes() =>
        [.. Types.SelectMany(t => t.Value.Keys
            .Where(k => Tables.FirstOrDefault(x => x.Name == t.Key).Keys?.Contains(k) != true)
            .Select(k => $"{t.Key}.{k}"))];

    /// <summary>The schema as indented JSON with "\n" line ends, the same text on every run.</summary>
    public static string Generate()
    {
        var untyped = UntypedKeys();
        if (untyped.Count > 0) throw new InvalidOperationException("keys without a schema type in SpecSchema: " + string.Join(", ", untyped));
        var stale = StaleTypes();
        if (stale.Count > 0) throw new InvalidOperationException("schema types for keys SpecKeys does not have: " + string.Join(", ", stale));

        var definitions = new JsonObject();
        foreach (var (name, keys) in Tables)
        {
            if (name != "root") definitions[name] = Mapping(name, keys);
        }
        definitions["layer"] = new JsonObject
        {
            ["description"] = "A one-key mapping whose key is the layer kind.",
            ["oneOf"] = new JsonArray([.. SpecKeys.LayerKinds.Select(kind => (JsonNode)new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { [kind] = new JsonObject { ["$ref"] = "#/definitions/" + kind } },
                ["required"] = new JsonArray(kind),
                ["additionalProperties"] = false,
            })]),
        };

        var root = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["title"] = "RnnGraph spec",
            ["description"] = "A recurrent network spec: model, optional user cells, and the data, training and generation sections read by rnngraph run. Generated by 'rnngraph schema'.",
        };
        foreach (var (key, value) in Mapping("root", SpecKeys.Root)) root[key] = value?.DeepClone();
        root["definitions"] = definitions;

        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        return root.ToJsonString(options) + "\n";
    }

    /// <summary>An object with exactly the table's keys, plus the constraints between keys the readers check.</summary>
    private static JsonObject Mapping(string name, KeyTable keys)
    {
        var properties = new JsonObject();
        foreach (var key in keys.All) properties[key] = Types[name][key]();
        var mapping = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (keys.Required.Count > 0) mapping["required"] = Strings(keys.Required);
        AddConstraints(name, keys, mapping);
        return mapping;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    // In draft-07 keywords beside $ref are ignored: the description goes beside an allOf instead.
    private static JsonObject Ref(string definition, string description) =>
        new() { ["description"] = description, ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = "#/definitions/" + definition }) };

    /// <summary>A section that may be left empty (<c>training:</c>), meaning every default.</summary>
    private static JsonObject Section(string definition, string description) => new()
    {
        ["description"] = description,
        ["anyOf"] = new JsonArray(new JsonObject { ["$ref"] = "#/definitions/" + definition }, new JsonObject { ["type"] = "null" }),
    };

    private static JsonObject PositiveInteger(string description) =>
        new() { ["description"] = description, ["type"] = "integer", ["minimum"] = 1 };

    private static JsonObject PositiveNumber(string description) =>
        new() { ["description"] = description, ["type"] = "number", ["exclusiveMinimum"] = 0 };

    private static JsonObject PositiveIntegerOrAuto(string description) => new()
    {
        ["description"] = description,
        ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer", ["minimum"] = 1 }, new JsonObject { ["const"] = "auto" }),
    };

    /// <summary>A list of layers: <c>layers</c>, <c>encoder</c>, <c>decoder</c>.</summary>
    private static JsonObject LayerList(string description) => new()
    {
        ["description"] = description,
        ["type"] = "array",
        ["minItems"] = 1,
        ["items"] = new JsonObject { ["$ref"] = "#/definitions/layer" },
    };

    /// <summary>A number in [0, 1], both ends included.</summary>
    private static JsonObject Ratio(string description) =>
        new() { ["description"] = description, ["type"] = "number", ["minimum"] = 0, ["maximum"] = 1 };

    /// <summary>A number in [0, 1): a fraction or a probability.</summary>
    private static JsonObject Fraction(string description) =>
        new() { ["description"] = description, ["type"] = "number", ["minimum"] = 0, ["exclusiveMaximum"] = 1 };

    private static JsonObject Boolean(string description) => new() { ["description"] = description, ["type"] = "boolean" };

    private static JsonObject NonEmptyString(string description) =>
        new() { ["description"] = description, ["type"] = "string", ["minLength"] = 1 };

    private static JsonObject Enum(IReadOnlyList<string> values, string description) =>
        new() { ["description"] = description, ["type"] = "string", ["enum"] = Strings(values) };

    private static JsonObject LayerName() => new()
    {
        ["description"] = "The layer's name, prefixing its parameters; default its kind, then kind_1, kind_2, ...",
        ["type"] = "string",
        ["pattern"] = NamePattern,
    };
}
