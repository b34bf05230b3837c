using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx;

/// <summary>A declared graph input or output: its name, element type and dimensions (null where symbolic or unknown).</summary>
public sealed record OnnxValueInfo(string Name, DType? DType, int? OnnxType, IReadOnlyList<long?>? Shape, IReadOnlyList<string?>? DimNames)
{
    /// <summary>"float[seq,batch,4]" for messages.</summary>
    public string Describe() =>
        (OnnxType is { } t ? OnnxTensors.TypeName(t) : "tensor") +
        (Shape is null ? "" : "[" + string.Join(",", Shape.Select((d, i) => d?.ToString() ?? DimNames?[i] ?? "?")) + "]");
}

/// <summary>
/// An ONNX model that passed <see cref="OnnxModelReader"/>'s checks: nodes in a valid order, every value
/// defined once before use, initializers decoded, operator set known.
/// </summary>
public sealed class OnnxModel
{
    internal OnnxModel(string source, ModelProto proto, long opset, Dictionary<string, TensorValue> initializers,
        IReadOnlyList<OnnxValueInfo> inputs, IReadOnlyList<OnnxValueInfo> outputs)
    {
        Source = source;
        Proto = proto;
        Opset = opset;
        Initializers = initializers;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The file name the model came from, for messages.</summary>
    public string Source { get; }

    public ModelProto Proto { get; }

    public GraphProto Graph => Proto.Graph;

    /// <summary>The version of the default ("ai.onnx") operator set the model imports.</summary>
    public long Opset { get; }

    /// <summary>Constant tensors by name (graph initializers).</summary>
    public IReadOnlyDictionary<string, TensorValue> Initializers { get; }

    /// <summary>The graph inputs a caller supplies: declared inputs that are not initializers.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>How a node is named in messages: <c>node 'LSTM_3' (LSTM)</c>, or by position when it has no name.</summary>
    public static string Describe(NodeProto node, int index) =>
        (string.IsNullOrEmpty(node.Name) ? $"node #{index}" : $"node '{node.Name}'") + $" ({node.OpType})";
}
