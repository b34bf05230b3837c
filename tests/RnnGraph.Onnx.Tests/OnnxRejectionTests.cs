using Google.Protobuf;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;
using static RnnGraph.Onnx.Tests.TinyModels;
using DataType = RnnGraph.Onnx.Proto.TensorProto.Types.DataType;

namespace RnnGraph.Onnx.Tests;

/// <summary>Every way the reader and the evaluator refuse a model or its inputs, each with its exact message.</summary>
public sealed class OnnxRejectionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rnngraph-onnx-tests", Guid.NewGuid().ToString("N"));

    public OnnxRejectionTests() => Directory.CreateDirectory(Path.Combine(_folder, "model"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Refusal(Func<object> action) => Assert.Throws<OnnxException>(action).Message;

    private static string Refused(ModelProto model) => Refusal(() => Load(model));

    [Fact]
    public void A_valid_tiny_model_runs()
    {
        var outputs = OnnxEvaluator.Evaluate(Load(Relu()), new Dictionary<string, TensorValue> { ["x"] = TensorValue.FromFloat([-1, 2, -3, 4, 0, -0.5f], 2, 3) });
        Assert.Equal(new float[] { 0, 2, 0, 4, 0, 0 }, (float[])outputs["y"].Data);
    }

    [Fact]
    public void Bytes_that_are_not_a_model()
    {
        Assert.Equal("junk.onnx: not a valid ONNX model (Protocol message contained an invalid tag (zero))",
            Refusal(() => OnnxModelReader.Parse([0, 0, 0, 0, 0, 0], "junk.onnx")));
        Assert.Equal("tiny.onnx: not an ONNX model (it has no graph)", Refused(new ModelProto { IrVersion = 8 }));
    }

    [Fact]
    public void A_missing_file_and_a_file_over_the_size_limit()
    {
        string missing = Path.Combine(_folder, "none.onnx");
        Assert.Equal($"cannot read '{missing}': no such file", Refusal(() => OnnxModelReader.Read(missing)));
        string path = Relu().Save(Path.Combine(_folder, "big.onnx"));
        long size = new FileInfo(path).Length;
        Assert.Equal($"big.onnx: the file is {size:N0} bytes, above the 10-byte limit for ONNX models",
            Refusal(() => OnnxModelReader.Read(path, new OnnxLimits { MaxModelBytes = 10 })));
    }

    [Fact]
    public void Nesting_beyond_the_limit()
    {
        string message = Refusal(() => OnnxModelReader.Parse(Relu().ToByteArray(), "tiny.onnx", limits: new OnnxLimits { MaxNesting = 2 }));
        Assert.StartsWith("tiny.onnx: not a valid ONNX model (Protocol message had too many levels of nesting", message);
    }

    [Fact]
    public void Versions_the_reader_does_not_know()
    {
        var noIr = Relu();
        noIr.ClearIrVersion();
        Assert.Equal("tiny.onnx: the model declares IR version none; RnnGraph reads IR version 3 and later (models with opset_import)", Refused(noIr));
        var noOpset = Relu();
        noOpset.OpsetImport.Clear();
        Assert.Equal("tiny.onnx: the model imports no version of the default operator set (opset_import has no entry for domain \"\")", Refused(noOpset));
        Assert.Equal("tiny.onnx: the model uses operator set 6; RnnGraph implements opsets 7 to 21 (re-export with e.g. opset_version=14)", Refused(Model(Relu().Graph, opset: 6)));
    }

    [Fact]
    public void Malformed_graphs_name_the_node()
    {
        var domain = Relu();
        domain.Graph.Node[0].Domain = "com.example";
        Assert.Equal("tiny.onnx: node 'relu_0' (Relu) is from operator domain 'com.example'; RnnGraph runs only the default ONNX domain", Refused(domain));

        var undefined = Relu();
        undefined.Graph.Node[0].Input[0] = "z";
        Assert.Equal("tiny.onnx: node 'relu_0' (Relu) uses 'z', which no graph input, initializer or node defines", Refused(undefined));

        var order = Relu();
        order.Graph.Node[0].Input[0] = "t";
        order.Graph.Node.Add(Node("Relu", "", ["x"], ["t"]));
        Assert.Equal("tiny.onnx: node 'relu_0' (Relu) uses 't' before node #1 (Relu) produces it; the nodes must be in topological order", Refused(order));

        var twice = Relu();
        twice.Graph.Node.Add(Node("Relu", "relu_1", ["x"], ["y"]));
        Assert.Equal("tiny.onnx: node 'relu_1' (Relu) produces 'y', which is already defined (by node 'relu_0' (Relu)); every value must be defined once", Refused(twice));

        var noOp = Relu();
        noOp.Graph.Node[0].OpType = "";
        Assert.Equal("tiny.onnx: node 'relu_0' () has no op_type", Refused(noOp));

        var subgraph = Relu();
        subgraph.Graph.Node[0].Attribute.Add(new AttributeProto { Name = "then_branch", G = new GraphProto() });
        Assert.Equal("tiny.onnx: node 'relu_0' (Relu) has a subgraph attribute 'then_branch'; RnnGraph does not run control flow (If, Loop, Scan)", Refused(subgraph));

        var output = Relu();
        output.Graph.Output.Add(Value("w", DataType.Float, 1));
        Assert.Equal("tiny.onnx: graph output 'w' is not produced by any node, input or initializer", Refused(output));

        var noOutputs = Relu();
        noOutputs.Graph.Output.Clear();
        Assert.Equal("tiny.onnx: the graph declares no outputs", Refused(noOutputs));

        var nodes = Relu();
        Assert.Equal("tiny.onnx: the graph has 1 nodes, above the limit of 0",
            Refusal(() => OnnxModelReader.Parse(nodes.ToByteArray(), "tiny.onnx", limits: new OnnxLimits { MaxNodes = 0 })));
    }

    [Fact]
    public void Inputs_and_outputs_must_be_tensors_of_known_types()
    {
        var sequence = Relu();
        sequence.Graph.Input[0].Type = new TypeProto();
        Assert.Equal("tiny.onnx: graph input 'x' is not a tensor (sequences, maps and optionals are not supported)", Refused(sequence));
        var strings = Relu();
        strings.Graph.Input[0] = Value("x", DataType.String, 2);
        Assert.Equal("tiny.onnx: graph input 'x' has element type string, which RnnGraph does not support", Refused(strings));
    }

    [Fact]
    public void Initializers_whose_data_does_not_fit()
    {
        var shortData = Relu();
        var w = Floats("w", [1, 2, 3], 3);
        w.Dims[0] = 4;
        shortData.Graph.Initializer.Add(w);
        Assert.Equal("tiny.onnx: initializer 'w' has 12 bytes of data but its shape [4] of float needs 16", Refused(shortData));

        var typed = Relu();
        var t = new TensorProto { Name = "t", DataType = (int)DataType.Float };
        t.Dims.Add(2);
        t.FloatData.Add(1f);
        typed.Graph.Initializer.Add(t);
        Assert.Equal("tiny.onnx: initializer 't' holds 1 values in float_data but its shape needs 2", Refused(typed));

        var negative = Relu();
        var n = Floats("n", [], 0);
        n.Dims[0] = -1;
        negative.Graph.Initializer.Add(n);
        Assert.Equal("tiny.onnx: initializer 'n' has dimension 0 = -1; dimensions must be between 0 and 2147483647", Refused(negative));

        var huge = Relu();
        var h = Floats("h", [], 0);
        h.Dims[0] = 1 << 20;
        h.Dims.Add(1 << 20);
        huge.Graph.Initializer.Add(h);
        Assert.Equal("tiny.onnx: initializer 'h' has shape [1048576,1048576], more than the 268,435,456 elements a tensor may have", Refused(huge));

        var strings = Relu();
        strings.Graph.Initializer.Add(new TensorProto { Name = "s", DataType = (int)DataType.String });
        Assert.Equal("tiny.onnx: initializer 's' has element type string, which RnnGraph does not support (float, double, float16, bfloat16, int8/16/32/64, uint8 and bool are)", Refused(strings));

        var twice = Relu();
        twice.Graph.Initializer.Add(Floats("w", [1], 1));
        twice.Graph.Initializer.Add(Floats("w", [1], 1));
        Assert.Equal("tiny.onnx: initializer 'w' is defined twice", Refused(twice));

        var sparse = Relu();
        sparse.Graph.SparseInitializer.Add(new SparseTensorProto { Values = Floats("sp", [1], 1) });
        Assert.Equal("tiny.onnx: sparse initializer 'sp' is not supported; store it as a dense initializer", Refused(sparse));
    }

    private string SaveWithExternal(string location, long offset = 0, long length = 8)
    {
        var model = Relu();
        var w = new TensorProto { Name = "w", DataType = (int)DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        w.Dims.Add(2);
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
        w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString() });
        model.Graph.Initializer.Add(w);
        return model.Save(Path.Combine(_folder, "model", "m.onnx"));
    }

    [Fact]
    public void External_data_beside_the_model_is_read()
    {
        File.WriteAllBytes(Path.Combine(_folder, "model", "w.bin"), [.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f)]);
        var model = OnnxModelReader.Read(SaveWithExternal("w.bin"));
        Assert.Equal(new[] { 1.5f, -2f }, (float[])model.Initializers["w"].Data);
    }

    [Fact]
    public void External_data_may_not_leave_the_models_folder()
    {
        File.WriteAllBytes(Path.Combine(_folder, "secret.bin"), new byte[8]);
        Assert.Equal("m.onnx: initializer 'w': external data location '../secret.bin' leads outside the model's folder; external data must sit beside the model",
            Refusal(() => OnnxModelReader.Read(SaveWithExternal("../secret.bin"))));
        string absolute = Path.Combine(_folder, "secret.bin");
        Assert.Equal($"m.onnx: initializer 'w': external data location '{absolute}' must be a path relative to the model's folder",
            Refusal(() => OnnxModelReader.Read(SaveWithExternal(absolute))));
        File.CreateSymbolicLink(Path.Combine(_folder, "model", "link.bin"), absolute);
        Assert.Equal($"m.onnx: initializer 'w': external data file 'link.bin' is a link to '{absolute}', outside the model's folder",
            Refusal(() => OnnxModelReader.Read(SaveWithExternal("link.bin"))));
        Assert.Equal("m.onnx: initializer 'w': external data file 'none.bin' does not exist beside the model",
            Refusal(() => OnnxModelReader.Read(SaveWithExternal("none.bin"))));
    }

    [Fact]
    public void External_data_ranges_must_lie_inside_the_file()
    {
        File.WriteAllBytes(Path.Combine(_folder, "model", "w.bin"), new byte[8]);
        Assert.Equal("m.onnx: initializer 'w': external data range 4+8 lies outside 'w.bin' (8 bytes)",
            Refusal(() => OnnxModelReader.Read(SaveWithExternal("w.bin", offset: 4))));
        Assert.Equal("m.onnx: initializer 'w': external data offset '-1' is not a non-negative integer",
            Refusal(() => OnnxModelReader.Read(SaveWithExternal("w.bin", offset: -1))));
        Assert.Equal("m.onnx: initializer 'w' has 4 bytes of data but its shape [2] of float needs 8",
            Refusal(() => OnnxModelReader.Read(SaveWithExternal("w.bin", length: 4))));
    }

    [Fact]
    public void An_unsupported_operator_names_the_node_before_anything_runs()
    {
        var model = Relu();
        model.Graph.Node[0].OpType = "NonMaxSuppression";
        model.Graph.Node.Add(Node("Einsum", "e", ["x"], ["z"]));
        Assert.Equal("tiny.onnx: node 'relu_0' (NonMaxSuppression) uses operator 'NonMaxSuppression', which RnnGraph does not run (nor Einsum); see `rnngraph eval --help` for the supported operators",
            Refusal(() => OnnxEvaluator.Evaluate(Load(model), new Dictionary<string, TensorValue>())));
    }

    [Fact]
    public void Inputs_that_do_not_match_the_graph()
    {
        var model = Load(Relu());
        Assert.Equal("tiny.onnx needs input 'x' (float[2,3]), which the inputs file does not hold; its inputs are x float[2,3]",
            Refusal(() => OnnxEvaluator.Evaluate(model, new Dictionary<string, TensorValue>())));
        Assert.Equal("'h0' is not an input of tiny.onnx; its inputs are x float[2,3]",
            Refusal(() => OnnxEvaluator.Evaluate(model, new Dictionary<string, TensorValue> { ["h0"] = TensorValue.FromFloat([1], 1) })));
        Assert.Equal("input 'x' has shape [3,2] but tiny.onnx declares float[2,3]",
            Refusal(() => OnnxEvaluator.Evaluate(model, new Dictionary<string, TensorValue> { ["x"] = TensorValue.FromFloat(new float[6], 3, 2) })));
        Assert.Equal("input 'x' is I64[2,3] but tiny.onnx declares float[2,3]",
            Refusal(() => OnnxEvaluator.Evaluate(model, new Dictionary<string, TensorValue> { ["x"] = TensorValue.FromInt64(new long[6], 2, 3) })));
        // A float64 tensor for a float input converts; so does I32 for an int64 input.
        var outputs = OnnxEvaluator.Evaluate(model, new Dictionary<string, TensorValue> { ["x"] = TensorValue.FromDouble([1, -1, 2, -2, 3, -3], 2, 3) });
        Assert.Equal(new float[] { 1, 0, 2, 0, 3, 0 }, (float[])outputs["y"].Data);
    }

    [Fact]
    public void Operators_name_the_node_when_their_inputs_are_wrong()
    {
        var graph = new GraphProto();
        graph.Input.Add(Value("x", DataType.Float, 2, 1, 3));
        graph.Output.Add(Value("y", DataType.Float));
        graph.Initializer.Add(Floats("W", new float[1 * 4 * 5], 1, 4, 5));
        graph.Initializer.Add(Floats("R", new float[1 * 4 * 1], 1, 4, 1));
        graph.Node.Add(Node("RNN", "rnn_0", ["x", "W", "R"], ["y"]));
        Assert.Equal("tiny.onnx: node 'rnn_0' (RNN): W is F32[1,4,5] but must be [1, 1*hidden_size, 3] (num_directions, gates x hidden, input_size)",
            Refusal(() => OnnxEvaluator.Evaluate(Load(Model(graph)), new Dictionary<string, TensorValue> { ["x"] = TensorValue.FromFloat(new float[6], 2, 1, 3) })));

        var big = new GraphProto();
        big.Input.Add(Value("s", DataType.Int64, 2));
        big.Output.Add(Value("z", DataType.Float));
        big.Node.Add(Node("ConstantOfShape", "zeros", ["s"], ["z"]));
        Assert.Equal("tiny.onnx: node 'zeros' (ConstantOfShape): would produce a tensor of shape [100000,100000], more than the 268,435,456 elements allowed",
            Refusal(() => OnnxEvaluator.Evaluate(Load(Model(big)), new Dictionary<string, TensorValue> { ["s"] = TensorValue.FromInt64([100000, 100000], 2) })));
    }
}
