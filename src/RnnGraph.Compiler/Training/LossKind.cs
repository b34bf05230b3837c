namespace RnnGraph.Compiler.Training;

/// <summary>The training losses, each averaged over the targets that count (padding excluded).</summary>
public enum LossKind
{
    /// <summary>Softmax cross-entropy against integer class ids (the model's logits, or the input of its softmax).</summary>
    CrossEntropy,

    /// <summary>Binary cross-entropy against 0/1 targets, computed from logits as softplus(z) - z * t.</summary>
    BinaryCrossEntropy,

    /// <summary>Mean squared error against float targets.</summary>
    MeanSquaredError,
}
