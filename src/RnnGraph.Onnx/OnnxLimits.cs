namespace RnnGraph.Onnx;

/// <summary>
/// Bounds checked while reading an ONNX file, before anything large is allocated: models come from other
/// people, and a hostile or broken file must end in an error, not in exhausted memory or a hang.
/// </summary>
public sealed record OnnxLimits
{
    /// <summary>The largest model file read (protobuf itself cannot go beyond 2 GiB).</summary>
    public long MaxModelBytes { get; init; } = 1L << 30;

    /// <summary>The largest external-data file, and the most bytes all tensors of a model may hold together.</summary>
    public long MaxTensorBytes { get; init; } = 4L << 30;

    /// <summary>The most nodes a graph may have.</summary>
    public int MaxNodes { get; init; } = 1_000_000;

    /// <summary>Protobuf nesting depth (messages inside messages).</summary>
    public int MaxNesting { get; init; } = 32;

    /// <summary>The most elements one tensor computed while running a model may have.</summary>
    public long MaxElements { get; init; } = 1L << 28;

    public static OnnxLimits Default { get; } = new();
}
