using Google.Protobuf;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Tests;

/// <summary>Small hand-built ONNX models for tests that need one broken in a particular way.</summary>
internal static class TinyModels
{
    /// <summary>x float[2,3] -> Relu -> y, opset 14: a valid model to break.</summary>
    public static ModelProto Relu()
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(Value("x", TensorProto.Types.DataType.Float, 2, 3));
        graph.Output.Add(Value("y", TensorProto.Types.DataType.Float, 2, 3));
        graph.Node.Add(Node("Relu", "relu_0", ["x"], ["y"]));
        return Model(graph);
    }

    public static ModelProto Model(GraphProto graph, long opset = 14)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "rnngraph-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    public static NodeProto Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };

    public static TensorProto Floats(string name, float[] values, params long[] dims) =>
        OnnxTensors.ToProto(name, new TensorValue(DType.F32, dims.Select(d => (int)d).ToArray(), values));

    /// <summary>Writes the model to <paramref name="path"/> and returns the path.</summary>
    public static string Save(this ModelProto model, string path)
    {
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    public static OnnxModel Load(ModelProto model, string name = "tiny.onnx") => OnnxModelReader.Parse(model.ToByteArray(), name);
}
