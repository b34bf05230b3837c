using Google.Protobuf;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;
using static RnnGraph.Onnx.Proto.TensorProto.Types;

namespace RnnGraph.Onnx.Tests;

/// <summary>Builds small ONNX models in tests with the generated proto classes; weights are random (seeded).</summary>
internal sealed class HandMadeOnnx(int seed = 1, long opset = 14)
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly Random _random = new(seed);

    /// <summary>A graph input; a dimension is a number or a symbolic name such as "T".</summary>
    public string Input(string name, DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        _graph.Input.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } });
        return name;
    }

    public string Output(string name)
    {
        _graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } } });
        return name;
    }

    /// <summary>A float initializer of uniform random values in [-0.6, 0.6).</summary>
    public string Random(string name, params int[] shape)
    {
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(_random.NextDouble() * 1.2 - 0.6);
        return Initializer(name, TensorValue.FromFloat(data, shape));
    }

    public string Initializer(string name, TensorValue value)
    {
        _graph.Initializer.Add(OnnxTensors.ToProto(name, value));
        return name;
    }

    public string Ints(string name, params long[] values) => Initializer(name, TensorValue.FromInt64(values, values.Length));

    /// <summary>A node named <paramref name="name"/>; outputs are "" for omitted ones. Attributes: long, float, string, long[], string[].</summary>
    public NodeProto Node(string op, string name, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (key, value) in attributes)
        {
            var a = new AttributeProto { Name = key };
            switch (value)
            {
                case int i: a.I = i; a.Type = AttributeProto.Types.AttributeType.Int; break;
                case long l: a.I = l; a.Type = AttributeProto.Types.AttributeType.Int; break;
                case float f: a.F = f; a.Type = AttributeProto.Types.AttributeType.Float; break;
                case string s: a.S = ByteString.CopyFromUtf8(s); a.Type = AttributeProto.Types.AttributeType.String; break;
                case long[] ls: a.Ints.AddRange(ls); a.Type = AttributeProto.Types.AttributeType.Ints; break;
                case string[] ss: a.Strings.AddRange(ss.Select(ByteString.CopyFromUtf8)); a.Type = AttributeProto.Types.AttributeType.Strings; break;
                default: throw new ArgumentException($"attribute {key}: {value.GetType()}");
            }
            node.Attribute.Add(a);
        }
        _graph.Node.Add(node);
        return node;
    }

    public OnnxModel Build()
    {
        var model = new ModelProto { IrVersion = 8, Graph = _graph, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return OnnxModelReader.Parse(model.ToByteArray(), "hand.onnx");
    }

    public byte[] Bytes()
    {
        var model = new ModelProto { IrVersion = 8, Graph = _graph, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model.ToByteArray();
    }

    /// <summary>A float tensor of uniform random values in [-1, 1), for inputs.</summary>
    public static TensorValue RandomTensor(int seed, params int[] shape)
    {
        var random = new Random(seed);
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return TensorValue.FromFloat(data, shape);
    }
}
