using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Import;

/// <summary>Where a recurrent operator's initial state comes from: zeros, or rows of a graph input.</summary>
internal abstract record StateSource
{
    public sealed record Zeros : StateSource;

    /// <summary>Rows <paramref name="Start"/> ..< Start+Count of graph input <paramref name="Input"/> (Count null: all of it).</summary>
    public sealed record Given(string Input, long Start, long? Count) : StateSource;
}

/// <summary>What a recurrent operator is in RnnGraph's terms; operators with equal settings stack into one <c>rnn</c> layer.</summary>
internal sealed record RecurrentSettings(string Cell, int Hidden, int Directions, bool ResetAfter, bool Peepholes, bool Bias);

/// <summary>One operator of the data path, as an RnnGraph layer part.</summary>
internal abstract record Stage(int Node);

/// <summary>An embedding: Gather of token ids from a [vocab, dim] table.</summary>
internal sealed record EmbedStage(int Node, TensorValue Table) : Stage(Node);

/// <summary>An RNN, GRU or LSTM operator with its weights (ONNX layouts) and where its initial states come from.</summary>
internal sealed record RecurrentStage(int Node, RecurrentSettings Settings, int InputSize, TensorValue W, TensorValue R, TensorValue? B, TensorValue? P,
    StateSource InitialH, StateSource InitialC) : Stage(Node);

/// <summary>A dense layer: weight [units, in] (RnnGraph's layout) and an optional bias [units].</summary>
internal sealed record DenseStage(int Node, float[] Weight, int Units, int InputSize) : Stage(Node)
{
    public float[]? Bias { get; set; }
}

/// <summary>softmax or log_softmax over the last dense layer's units.</summary>
internal sealed record ActivationStage(int Node, string Activation) : Stage(Node);
