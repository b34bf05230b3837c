using Google.Protobuf;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Ops;

/// <summary>Computes a node's outputs from its inputs; an entry may be null for an optional output not produced.</summary>
internal delegate TensorValue?[] OpKernel(OpContext context);

/// <summary>One node being run: its inputs (null where an optional input is omitted), attributes and opset, and how to fail naming it.</summary>
internal sealed class OpContext
{
    private readonly TensorValue?[] _inputs;

    public OpContext(NodeProto node, string where, long opset, TensorValue?[] inputs, OnnxLimits limits)
    {
        Node = node;
        Where = where;
        Opset = opset;
        _inputs = inputs;
        Limits = limits;
    }

    public NodeProto Node { get; }

    /// <summary>"model.onnx: node 'LSTM_3' (LSTM)".</summary>
    public string Where { get; }

    public long Opset { get; }

    public OnnxLimits Limits { get; }

    public int InputCount => _inputs.Length;

    /// <summary>How many outputs the node asks for (trailing omitted ones not counted).</summary>
    public int OutputCount => Node.Output.Count;

    /// <summary>Whether output <paramref name="i"/> is wanted (present and not the empty name).</summary>
    public bool Wants(int i) => i < Node.Output.Count && Node.Output[i].Length > 0;

    public TensorValue Input(int i, string role) =>
        (i < _inputs.Length ? _inputs[i] : null) ?? throw Fail($"input {i} ({role}) is required but missing");

    public TensorValue? Optional(int i) => i < _inputs.Length ? _inputs[i] : null;

    public OnnxException Fail(string message) => new($"{Where}: {message}");

    public AttributeProto? Attribute(string name)
    {
        foreach (var attribute in Node.Attribute)
            if (attribute.Name == name) return attribute;
        return null;
    }

    public long Int(string name, long fallback) => Attribute(name) is { } a ? a.I : fallback;

    public long? IntOrNull(string name) => Attribute(name)?.I;

    public float Float(string name, float fallback) => Attribute(name) is { } a ? a.F : fallback;

    public string String(string name, string fallback) => Attribute(name) is { } a ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => Attribute(name)?.Ints.ToArray();

    public float[]? Floats(string name) => Attribute(name)?.Floats.ToArray();

    public string[]? Strings(string name) => Attribute(name)?.Strings.Select(s => s.ToStringUtf8()).ToArray();

    public TensorValue? Tensor(string name) =>
        Attribute(name)?.T is { } t ? OnnxTensors.FromProto(t, $"{Where}: attribute '{name}'", limits: Limits) : null;

    /// <summary>A new tensor of <paramref name="shape"/>, refused when it would exceed the element limit.</summary>
    public int[] CheckShape(int[] shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw Fail($"computed a negative dimension in shape [{string.Join(",", shape)}]");
            n *= d;
            if (n > Limits.MaxElements)
                throw Fail($"would produce a tensor of shape [{string.Join(",", shape)}], more than the {Limits.MaxElements:N0} elements allowed");
        }
        return shape;
    }

    /// <summary>Normalizes a possibly negative axis against <paramref name="rank"/>.</summary>
    public int Axis(long axis, int rank, string what = "axis")
    {
        if (axis < -rank || axis >= rank) throw Fail($"{what} {axis} is out of range for a tensor of rank {rank}");
        return (int)(axis < 0 ? axis + rank : axis);
    }

    internal static ByteString Utf8(string s) => ByteString.CopyFromUtf8(s);
}
