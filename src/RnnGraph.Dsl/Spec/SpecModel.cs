using RnnGraph.Dsl.Equations;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Spec;

// The spec object model. Every value keeps the location it was read from so later stages
// (binding, shape inference) can report errors at the exact place in the YAML file.

/// <summary>A whole spec file: the model, any user-declared cells, and what <c>rnngraph run</c> trains on and how.</summary>
public sealed record SpecDocument(SourceText Source, ModelSpec? Model, IReadOnlyList<CellSpec> Cells)
{
    public DataSpec? Data { get; init; }
    public TrainingSpec? Training { get; init; }
    public GenerationSpec? Generation { get; init; }
}

/// <summary>
/// The <c>data:</c> section: a text file (or inline <c>text</c>) read as one sequence per line
/// (<c>format: lines</c>) or as one stream (<c>format: stream</c>, windows for truncated BPTT), tokenized
/// by characters or words into a vocabulary (tokens seen fewer than <c>min_frequency</c> times become &lt;unk&gt;).
/// </summary>
public sealed record DataSpec(TextLocation Location)
{
    public Located<string>? File { get; init; }
    public Located<string>? Text { get; init; }
    public Located<string>? Format { get; init; }
    public Located<string>? Tokenizer { get; init; }
    public Located<int>? MinFrequency { get; init; }
    public Located<double>? Validation { get; init; }

    /// <summary>Keep only the first this many tokens of each line (<c>lines</c>, <c>labelled</c>).</summary>
    public Located<int>? MaxTokens { get; init; }

    /// <summary><c>csv</c>: the columns to read, in order; null reads all.</summary>
    public IReadOnlyList<Located<string>>? Columns { get; init; }

    /// <summary><c>csv</c>: the rows (time steps) in one example.</summary>
    public Located<int>? Window { get; init; }

    /// <summary><c>pairs</c>: how the target side (after the tab) is tokenized: <c>char</c> or <c>word</c> (default word).</summary>
    public Located<string>? TargetTokenizer { get; init; }

    /// <summary>A file of held-out examples (same format as <c>file</c>) instead of a <c>validation</c> share of it.</summary>
    public Located<string>? ValidationFile { get; init; }

    /// <summary>A file of test examples (same format as <c>file</c>), scored once after training with the kept weights.</summary>
    public Located<string>? TestFile { get; init; }
}

/// <summary>The <c>training:</c> section; every value has a default (see docs/spec.md).</summary>
public sealed record TrainingSpec(TextLocation Location)
{
    public Located<int>? Epochs { get; init; }
    public Located<int>? BatchSize { get; init; }
    public Located<int>? Steps { get; init; }
    public Located<string>? Optimizer { get; init; }
    public Located<double>? LearningRate { get; init; }
    public Located<double>? ClipNorm { get; init; }
    public Located<int>? Seed { get; init; }

    /// <summary><c>constant</c>, <c>step</c> or <c>cosine</c>.</summary>
    public Located<string>? Schedule { get; init; }

    /// <summary><c>schedule: step</c>: optimizer steps between decays.</summary>
    public Located<int>? StepSize { get; init; }

    /// <summary><c>schedule: step</c>: the factor of each decay.</summary>
    public Located<double>? Gamma { get; init; }

    /// <summary><c>schedule: cosine</c>: the rate at the end of the run (eta_min).</summary>
    public Located<double>? MinLearningRate { get; init; }

    /// <summary>Optimizer steps of linear warmup before the schedule; 0 for none.</summary>
    public Located<int>? Warmup { get; init; }

    /// <summary>Epochs without a better validation loss after which training stops.</summary>
    public Located<int>? EarlyStopping { get; init; }

    /// <summary>The weight initialization: <c>default</c>, <c>xavier</c> or <c>orthogonal</c>.</summary>
    public Located<string>? Init { get; init; }

    /// <summary>Checkpointed BPTT: keep the states of every k-th step and recompute each k-step segment in the backward pass; null for off.</summary>
    public Located<int>? RecomputeEvery { get; init; }

    /// <summary>Encoder-decoder: the share of decoder steps fed the reference token (else the model's own argmax); default 1.</summary>
    public Located<double>? TeacherForcing { get; init; }

    /// <summary>Encoder-decoder: <c>constant</c>, <c>linear</c> or <c>exponential</c> decay of the teacher forcing ratio over the epochs.</summary>
    public Located<string>? TeacherForcingSchedule { get; init; }

    /// <summary>Encoder-decoder, <c>linear</c>/<c>exponential</c> schedules: the ratio at the last epoch.</summary>
    public Located<double>? TeacherForcingEnd { get; init; }
}

/// <summary>The <c>generation:</c> section: samples drawn from a trained language model.</summary>
public sealed record GenerationSpec(TextLocation Location)
{
    public Located<int>? Samples { get; init; }
    public Located<int>? MaxLength { get; init; }
    public Located<double>? Temperature { get; init; }
    public Located<string>? Prefix { get; init; }

    /// <summary>Encoder-decoder: the beam width of decoding; 1 (the default) decodes greedily.</summary>
    public Located<int>? BeamWidth { get; init; }

    /// <summary>Encoder-decoder beam search: <c>none</c>, <c>average</c> or <c>gnmt</c> length penalty (default none).</summary>
    public Located<string>? LengthPenalty { get; init; }

    /// <summary><c>length_penalty: gnmt</c>: its alpha (default 0.6).</summary>
    public Located<double>? LengthPenaltyAlpha { get; init; }
}

/// <summary>The <c>model:</c> section.</summary>
public sealed record ModelSpec(IReadOnlyList<InputSpec> Inputs, IReadOnlyList<LayerSpec> Layers, TextLocation Location)
{
    /// <summary><c>topology: many-to-many | many-to-one | one-to-one | one-to-many</c> (default many-to-many).</summary>
    public Located<string>? Topology { get; init; }

    /// <summary><c>pooling: last | mean | max | attention</c>, many-to-one only (default last).</summary>
    public Located<string>? Pooling { get; init; }

    /// <summary><c>condition: first-step | state</c>, one-to-many only (default first-step).</summary>
    public Located<string>? Condition { get; init; }

    /// <summary><c>topology: encoder-decoder</c>: the encoder's layers (instead of <c>layers</c>), reading <see cref="Inputs"/>.</summary>
    public IReadOnlyList<LayerSpec>? Encoder { get; init; }

    /// <summary><c>topology: encoder-decoder</c>: the decoder's layers: an optional embed, one rnn, then dense layers (the last scores the output vocabulary).</summary>
    public IReadOnlyList<LayerSpec>? Decoder { get; init; }

    /// <summary>Encoder-decoder: <c>none | copy | sum | concat | dense</c>, how the encoder's final states become the decoder's initial states.</summary>
    public Located<string>? Bridge { get; init; }

    /// <summary>Encoder-decoder: the attention over the encoder's outputs, or null for none.</summary>
    public AttentionSpec? Attention { get; init; }

    /// <summary>Encoder-decoder: the most decoder steps of a decoded output (its tokens and &lt;eos&gt;).</summary>
    public Located<int>? MaxOutputLength { get; init; }
}

/// <summary>
/// <c>attention: additive</c> or <c>attention: { type: additive | dot | general, units: N }</c>: additive is Bahdanau's
/// (its score layer has <see cref="Units"/> units, default the decoder's hidden size); dot and general are Luong's, with input feeding.
/// </summary>
public sealed record AttentionSpec(Located<string> Type, Located<int>? Units, TextLocation Location);

/// <summary>
/// One entry under <c>model.inputs</c>. <c>size</c> declares float features per step;
/// <c>vocab</c> declares integer token ids in [0, vocab).
/// </summary>
public sealed record InputSpec(Located<string> Name, Located<int>? Size, Located<int>? Vocab, TextLocation Location)
{
    /// <summary><c>vocab: auto</c>: the size of the vocabulary built from the data (Vocab then holds 0).</summary>
    public bool VocabFromData { get; init; }

    /// <summary><c>one_hot: true</c>: token ids enter the next layer as one-hot vectors of the vocabulary's size.</summary>
    public Located<bool>? OneHot { get; init; }
}

/// <summary>One entry of <c>model.layers</c>; <see cref="Kind"/> is the YAML key (<c>rnn</c>, <c>dense</c>, <c>embed</c>).</summary>
public abstract record LayerSpec(Located<string> Kind, Located<string>? Name, TextLocation Location);

/// <summary><c>- rnn: { cell, hidden, layers, bidirectional, bias, batch_first, ... }</c>.</summary>
public sealed record RnnLayerSpec(
    Located<string> Kind,
    Located<string>? Name,
    TextLocation Location,
    Located<string> Cell,
    Located<int> Hidden,
    Located<int>? NumLayers,
    Located<bool>? Bidirectional,
    Located<bool>? Bias,
    Located<bool>? BatchFirst,
    Located<bool>? ResetAfter,
    Located<bool>? Peepholes) : LayerSpec(Kind, Name, Location)
{
    /// <summary><c>merge: concat | sum | mul | ave</c>: how the two directions combine (bidirectional only).</summary>
    public Located<string>? Merge { get; init; }

    /// <summary><c>dropout: p</c>: while training, drop each output of a stacked layer but the last with probability p (PyTorch's dropout).</summary>
    public Located<double>? Dropout { get; init; }

    /// <summary><c>recurrent_dropout: p</c>: while training, one mask per sequence on h[t-1] where it enters a matrix product (variational dropout).</summary>
    public Located<double>? RecurrentDropout { get; init; }
}

/// <summary><c>- dense: { units, activation: none|softmax|log_softmax, bias }</c>, applied at every step.</summary>
public sealed record DenseLayerSpec(
    Located<string> Kind,
    Located<string>? Name,
    TextLocation Location,
    Located<int> Units,
    Located<string>? Activation,
    Located<bool>? Bias) : LayerSpec(Kind, Name, Location)
{
    /// <summary><c>units: auto</c>: one unit per vocabulary entry (Units then holds 0).</summary>
    public bool UnitsFromData { get; init; }
}

/// <summary><c>- embed: { dim }</c>: token ids to vectors; only valid on a <c>vocab</c> input.</summary>
public sealed record EmbedLayerSpec(
    Located<string> Kind,
    Located<string>? Name,
    TextLocation Location,
    Located<int> Dim) : LayerSpec(Kind, Name, Location);

/// <summary>One parameter of a cell: its name and its shape, each dimension an expression over <c>hidden</c>, <c>input</c> and integers.</summary>
public sealed record CellParamSpec(Located<string> Name, IReadOnlyList<Expr> Shape, TextLocation Location);

/// <summary>A cell declared under <c>cells:</c> (or in the built-in cell library).</summary>
public sealed record CellSpec(
    Located<string> Name,
    IReadOnlyList<CellParamSpec> Params,
    IReadOnlyList<Located<string>> States,
    EquationBlock Equations,
    Located<string> Output,
    TextLocation Location);
