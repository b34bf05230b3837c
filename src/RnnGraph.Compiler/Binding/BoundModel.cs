using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Binding;

/// <summary>The model's data input: float features of <see cref="Size"/> per step, or token ids below <see cref="Vocab"/>.</summary>
public sealed record BoundInput(string Name, int Size, int Vocab, TextLocation Location)
{
    public bool IsTokens => Vocab > 0;

    /// <summary>Token ids enter the first layer as one-hot vectors of size <see cref="Vocab"/>.</summary>
    public bool OneHot { get; init; }
}

/// <summary>A layer after binding, with all sizes known.</summary>
public abstract record BoundLayer(string Name, TextLocation Location)
{
    /// <summary>Features per step that this layer passes up.</summary>
    public abstract int OutputSize { get; }
}

/// <summary>
/// A recurrent stack: <see cref="NumLayers"/> layers, each with <see cref="Directions"/> directions,
/// all using one cell (bound per stacked layer because the input size differs above the first).
/// </summary>
public sealed record BoundRnnLayer(string Name, TextLocation Location, IReadOnlyList<BoundCell> Cells, int Hidden, int NumLayers, int Directions, bool Bias)
    : BoundLayer(Name, Location)
{
    /// <summary>How the two directions combine at each step: concat (PyTorch's), sum, mul or ave.</summary>
    public string Merge { get; init; } = "concat";

    /// <summary>Drop probability on the outputs of each stacked layer but the last, while training.</summary>
    public double Dropout { get; init; }

    /// <summary>Drop probability of the variational mask on h[t-1] where it enters a matrix product, while training.</summary>
    public double RecurrentDropout { get; init; }

    /// <summary>Features per step after merging the directions of a layer with output size <paramref name="cellOutput"/>.</summary>
    public int MergedSize(int cellOutput) => Merge == "concat" ? Directions * cellOutput : cellOutput;

    public override int OutputSize => MergedSize(Cells[^1].OutputSize);
    public IReadOnlyList<string> States => Cells[0].States;
}

/// <summary>A dense layer applied at every step: <c>y = x W^T + b</c>, then the activation.</summary>
public sealed record BoundDenseLayer(string Name, TextLocation Location, int InputSize, int Units, string Activation, bool Bias)
    : BoundLayer(Name, Location)
{
    public override int OutputSize => Units;
}

/// <summary>An embedding table lookup on token ids.</summary>
public sealed record BoundEmbedLayer(string Name, TextLocation Location, int Vocab, int Dim) : BoundLayer(Name, Location)
{
    public override int OutputSize => Dim;
}

/// <summary>A model parameter with its CONTRACT name (PyTorch's state_dict name prefixed by the layer) and shape.</summary>
public sealed record ModelParameter(string Name, int[] Dims, string Layer);

/// <summary>A whole bound model: its input, its layers in order, and its parameters.</summary>
public sealed record BoundModel(BoundInput Input, IReadOnlyList<BoundLayer> Layers, bool BatchFirst, IReadOnlyList<ModelParameter> Parameters)
{
    /// <summary>many-to-one: the last recurrent layer is pooled over time (<see cref="Pooling"/>) and later layers run once.</summary>
    public bool ManyToOne { get; init; }

    /// <summary>last, mean, max or attention (many-to-one only).</summary>
    public string Pooling { get; init; } = "last";

    /// <summary>Name prefix of the attention pooling's parameters (<c>pool.weight</c>, <c>pool.bias</c>, <c>pool.context</c>).</summary>
    public const string PoolLayer = "pool";

    /// <summary>many-to-many, many-to-one, one-to-one or one-to-many (<c>model.topology</c>).</summary>
    public string Topology { get; init; } = "many-to-many";

    /// <summary>one-to-one: one step per example, no time axis; the input is [B,I] (or [B] ids) and <c>y</c> is [B,O].</summary>
    public bool OneToOne => Topology == "one-to-one";

    /// <summary>
    /// one-to-many: the input is a fixed-size vector [B,C] (the condition) and each step is fed back the previous
    /// output token (<see cref="ModelNames.Feedback"/>, ids below <see cref="FeedbackVocab"/>); <c>y</c> comes at every step.
    /// </summary>
    public bool OneToMany => Topology == "one-to-many";

    /// <summary>One output per example instead of one per step (many-to-one, one-to-one): <c>y</c> is [B,O].</summary>
    public bool OneOutputPerExample => ManyToOne || OneToOne;

    /// <summary>one-to-many: first-step (the condition joins step 0's input) or state (it sets the first rnn layer's h0).</summary>
    public string Condition { get; init; } = "first-step";

    /// <summary>one-to-many: the number of output tokens fed back, the last layer's units (O).</summary>
    public int FeedbackVocab { get; init; }

    public const string EncoderDecoderTopology = "encoder-decoder";

    /// <summary>
    /// encoder-decoder: <see cref="Input"/> holds the source tokens read by <see cref="BoundEncoderDecoder.Encoder"/>; the decoder
    /// emits target tokens (<see cref="Layers"/> lists the encoder's layers, then the decoder's).
    /// </summary>
    public BoundEncoderDecoder? EncoderDecoder { get; init; }

    public bool IsEncoderDecoder => EncoderDecoder is not null;

    /// <summary>one-to-many with <c>condition: state</c>: the rnn layer whose initial states the condition sets.</summary>
    public BoundRnnLayer? ConditionedLayer => OneToMany && Condition == "state" ? RnnLayers.FirstOrDefault() : null;

    public IEnumerable<BoundRnnLayer> RnnLayers => Layers.OfType<BoundRnnLayer>();

    /// <summary>
    /// Why the steps cannot run in segments, first to last, carrying only the recurrent states from one segment to the
    /// next (checkpointed BPTT, <c>training.recompute_every</c>); null when they can.
    /// </summary>
    public string? SegmentObstacle() =>
        RnnLayers.FirstOrDefault(l => l.Directions == 2) is { } bidirectional
            ? $"the layer '{bidirectional.Name}' is bidirectional (its reverse direction starts at the last step); remove 'bidirectional' or 'recompute_every'"
        : OneToMany ? "a one-to-many model's condition enters at the first step; remove 'recompute_every'"
        : IsEncoderDecoder ? "an encoder-decoder's decoder reads the whole encoded source at every step; remove 'recompute_every'"
        : ManyToOne && Pooling != "last" ? $"'pooling: {Pooling}' reads every step at once; use 'pooling: last' or remove 'recompute_every'"
        : null;
}

/// <summary>
/// The parts of an encoder-decoder after binding. The encoder's layers end in <see cref="EncoderRnn"/>, whose outputs at every source
/// step are the memory the attention reads (<see cref="MemorySize"/> features). The decoder is an optional embedding of the previous
/// target token (else its one-hot vector), one recurrent stack and dense layers; the last scores the <see cref="TargetVocab"/> tokens.
/// </summary>
/// <param name="Bridge">none, copy, sum, concat or dense: how the encoder's final states (per stacked layer) set the decoder's initial ones.</param>
/// <param name="Attention">none, additive (Bahdanau: from the previous decoder state, the context joins the decoder's input and
/// the head's), dot or general (Luong: from the new state, combined as tanh(W_c [context; state]), fed to the next step's input).</param>
public sealed record BoundEncoderDecoder(
    IReadOnlyList<BoundLayer> Encoder,
    BoundRnnLayer EncoderRnn,
    BoundEmbedLayer? DecoderEmbed,
    BoundRnnLayer DecoderRnn,
    IReadOnlyList<BoundDenseLayer> Head,
    string Bridge,
    string Attention,
    int AttentionUnits,
    int MaxOutputLength,
    int TargetVocab)
{
    /// <summary>Features per source step the attention reads: the encoder's merged output.</summary>
    public int MemorySize => EncoderRnn.OutputSize;

    public bool IsLuong => Attention is "dot" or "general";

    /// <summary>What the decoder's input carries besides the token: the context (additive), the attentional vector (Luong) or nothing.</summary>
    public int FeedSize => Attention switch { "additive" => MemorySize, "dot" or "general" => DecoderRnn.Hidden, _ => 0 };

    /// <summary>The features the first head layer reads: [state; context] (additive), the attentional vector (Luong) or the state.</summary>
    public int HeadInputSize => Attention == "additive" ? DecoderRnn.Hidden + MemorySize : DecoderRnn.Hidden;

    /// <summary>The layers of the decoder, in order.</summary>
    public IEnumerable<BoundLayer> DecoderLayers =>
        (DecoderEmbed is null ? [] : new BoundLayer[] { DecoderEmbed }).Append(DecoderRnn).Concat(Head);

    public const string BridgeLayer = "bridge";
    public const string AttentionLayer = "attention";

    /// <summary><c>bridge.h.weight_l0</c>: the dense bridge's parameters for one state of one stacked layer.</summary>
    public static string BridgeParameter(string state, string param, int layer) => $"{BridgeLayer}.{state}.{param}_l{layer}";
}
