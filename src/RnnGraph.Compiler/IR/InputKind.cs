namespace RnnGraph.Compiler.IR;

/// <summary>What an <c>input</c> node carries (stored in its <see cref="OpAttributes.I0"/>); only float data is differentiable.</summary>
public enum InputKind
{
    /// <summary>Float features, initial states or upstream gradients.</summary>
    Float = 0,

    /// <summary>Integer token ids (exact integers in the float buffers).</summary>
    TokenIds = 1,

    /// <summary>Non-differentiable float weights: a step mask [B,1] (1 where a sequence has a value, 0 past its end) or a loss scale.</summary>
    Mask = 2,

    /// <summary>A dropout keep mask, fed while training only: each entry 0 with probability p (the input's Scalar), else 1/(1-p).</summary>
    Dropout = 3,
}
