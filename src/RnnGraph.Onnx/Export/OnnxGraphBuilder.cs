using Google.Protobuf;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;
using static RnnGraph.Onnx.Proto.TensorProto.Types;

namespace RnnGraph.Onnx.Export;

/// <summary>
/// Assembles an ONNX graph: nodes in the order they are added (so in topological order when every input is
/// added before its users), initializers, and declared inputs and outputs. Value names are made unique here.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

    public GraphProto Graph { get; } = new();

    /// <summary>A value name not used yet: <paramref name="stem"/> itself, else stem_1, stem_2, ...</summary>
    public string Fresh(string stem)
    {
        if (_names.Add(stem)) return stem;
        int k = _counters.GetValueOrDefault(stem);
        string name;
        do name = $"{stem}_{++k}"; while (!_names.Add(name));
        _counters[stem] = k;
        return name;
    }

    /// <summary>Reserves a name that must stay exactly as given (graph inputs and outputs); false when it is taken.</summary>
    public bool Reserve(string name) => _names.Add(name);

    public string Initializer(string stem, TensorValue value)
    {
        string name = Fresh(stem);
        Graph.Initializer.Add(OnnxTensors.ToProto(name, value));
        return name;
    }

    public string Floats(string stem, float[] values, params int[] shape) => Initializer(stem, TensorValue.FromFloat(values, shape));

    /// <summary>A 1-D int64 constant (shapes, axes, slice bounds).</summary>
    public string Int64s(string stem, params long[] values) => Initializer(stem, TensorValue.FromInt64(values, values.Length));

    /// <summary>A 0-D int64 constant (a Gather index that removes the axis).</summary>
    public string Int64Scalar(string stem, long value) => Initializer(stem, TensorValue.FromInt64([value]));

    public string FloatScalar(string stem, float value) => Initializer(stem, TensorValue.FromFloat([value]));

    /// <summary>Adds a node with one output named after <paramref name="stem"/>; returns the output's name.</summary>
    public string Node(string op, string stem, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Nodes(op, [stem], inputs, attributes)[0];

    /// <summary>Adds a node with one output per stem (an empty stem leaves that optional output out).</summary>
    public string[] Nodes(string op, IReadOnlyList<string> stems, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var outputs = stems.Select(s => s.Length == 0 ? "" : Fresh(s)).ToArray();
        var node = new NodeProto { OpType = op, Name = Fresh(op + "_node") };
        node.Input.AddRange(inputs);
        // Optional inputs left out at the end are dropped rather than written as empty names.
        while (node.Input.Count > 0 && node.Input[^1].Length == 0) node.Input.RemoveAt(node.Input.Count - 1);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return outputs;
    }

    /// <summary>
    /// Renames a value produced by a node to <paramref name="name"/> (reserved beforehand with <see cref="Reserve"/>),
    /// everywhere it is read: how a computed value becomes a graph output with its contract name.
    /// </summary>
    public void Rename(string value, string name)
    {
        foreach (var node in Graph.Node)
        {
            for (int i = 0; i < node.Output.Count; i++)
                if (node.Output[i] == value) node.Output[i] = name;
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == value) node.Input[i] = name;
        }
    }

    /// <summary>Declares a graph input; dimensions are numbers (fixed) or strings (symbolic).</summary>
    public void Input(string name, DataType type, params object[] dims) => Graph.Input.Add(ValueInfo(name, type, dims));

    /// <summary>Declares a graph output; dimensions are numbers (fixed) or strings (symbolic).</summary>
    public void Output(string name, DataType type, params object[] dims) => Graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>A value info whose dimensions are numbers (fixed) or strings (symbolic, e.g. "batch").</summary>
    private static ValueInfoProto ValueInfo(string name, DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int n => new TensorShapeProto.Types.Dimension { DimValue = n },
                long n => new TensorShapeProto.Types.Dimension { DimValue = n },
                _ => throw new ArgumentException($"dimension {d} is neither a number nor a name", nameof(dims)),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Strings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    public static AttributeProto Tensor(string name, TensorValue value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxTensors.ToProto("", value) };
}
