using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;
using static RnnGraph.Onnx.Tests.TinyModels;

namespace RnnGraph.Onnx.Tests;

/// <summary>
/// The refusals of the operators themselves, one node at a time, each with its exact message: what a model whose
/// shapes or attributes disagree gets instead of a crash. Inputs are initializers, so the graph needs no feed.
/// </summary>
public class OperatorRejectionTests
{
    private static TensorValue F(int[] shape) => new(DType.F32, shape, new float[shape.Aggregate(1, (a, d) => a * d)]);

    private static TensorValue L(params long[] values) => TensorValue.FromInt64(values, values.Length);

    private static AttributeProto S(string name, string value) => new() { Name = name, S = Google.Protobuf.ByteString.CopyFromUtf8(value), Type = AttributeProto.Types.AttributeType.String };

    private static AttributeProto Fl(string name, float value) => new() { Name = name, F = value, Type = AttributeProto.Types.AttributeType.Float };

    private static AttributeProto Strs(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(Google.Protobuf.ByteString.CopyFromUtf8));
        return a;
    }

    /// <summary>Runs one node "n" of <paramref name="op"/> on the given initializers; returns the refusal's message.</summary>
    private static string Refusal(string op, TensorValue?[] inputs, int outputs = 1, long opset = 14, params AttributeProto[] attributes)
    {
        var graph = new GraphProto();
        var names = new List<string>();
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null) { names.Add(""); continue; }
            graph.Initializer.Add(OnnxTensors.ToProto($"in{i}", inputs[i]!));
            names.Add($"in{i}");
        }
        var outs = Enumerable.Range(0, outputs).Select(i => $"out{i}").ToArray();
        graph.Node.Add(Node(op, "n", names.ToArray(), outs, attributes));
        foreach (var o in outs) graph.Output.Add(new ValueInfoProto { Name = o });
        return Assert.Throws<OnnxException>(() => OnnxEvaluator.Evaluate(Load(Model(graph, opset), "m.onnx"), new Dictionary<string, TensorValue>())).Message;
    }

    [Fact]
    public void Elementwise_operators()
    {
        Assert.Equal("m.onnx: node 'n' (Add): cannot broadcast shapes [2,3] and [4]", Refusal("Add", [F([2, 3]), F([4])]));
        Assert.Equal("m.onnx: node 'n' (Add): its inputs have different element types (F32 and I64)", Refusal("Add", [F([2]), L(1, 2)]));
        Assert.Equal("m.onnx: node 'n' (Div): integer division by zero", Refusal("Div", [L(1, 2), L(1, 0)]));
        Assert.Equal("m.onnx: node 'n' (Tanh): needs a floating-point input but got I64[2]", Refusal("Tanh", [L(1, 2)]));
        Assert.Equal("m.onnx: node 'n' (Where): cannot broadcast shapes [2], [3] and [2]", Refusal("Where", [TensorValue.FromInt64([1, 0], 2), F([3]), F([2])]));
        Assert.Equal("m.onnx: node 'n' (Cast): casts to string, which RnnGraph does not support", Refusal("Cast", [F([2])], attributes: Int("to", 8)));
        Assert.Equal("m.onnx: node 'n' (Relu): input 0 (X) is required but missing", Refusal("Relu", [null]));
    }

    [Fact]
    public void Shape_operators()
    {
        Assert.Equal("m.onnx: node 'n' (Reshape): cannot reshape F32[2,3] (6 elements) to [4,2]", Refusal("Reshape", [F([2, 3]), L(4, 2)]));
        Assert.Equal("m.onnx: node 'n' (Reshape): shape has more than one -1", Refusal("Reshape", [F([2, 3]), L(-1, -1)]));
        Assert.Equal("m.onnx: node 'n' (Reshape): cannot reshape F32[2,3] to [4,-1]", Refusal("Reshape", [F([2, 3]), L(4, -1)]));
        Assert.Equal("m.onnx: node 'n' (Squeeze): cannot squeeze axis 0 of F32[2,3]: its size is 2, not 1", Refusal("Squeeze", [F([2, 3]), L(0)]));
        Assert.Equal("m.onnx: node 'n' (Squeeze): axis 5 is out of range for a tensor of rank 2", Refusal("Squeeze", [F([2, 3]), L(5)]));
        Assert.Equal("m.onnx: node 'n' (Unsqueeze): needs axes", Refusal("Unsqueeze", [F([2, 3])]));
        Assert.Equal("m.onnx: node 'n' (Unsqueeze): axes [0,0] repeat an axis", Refusal("Unsqueeze", [F([2, 3]), L(0, 0)]));
        Assert.Equal("m.onnx: node 'n' (Transpose): perm [0,0] is not a permutation of the 2 axes of F32[2,3]", Refusal("Transpose", [F([2, 3])], attributes: Ints("perm", 0, 0)));
        Assert.Equal("m.onnx: node 'n' (Concat): cannot concatenate F32[2,3] and F32[3,3] along axis 1", Refusal("Concat", [F([2, 3]), F([3, 3])], attributes: Int("axis", 1)));
        Assert.Equal("m.onnx: node 'n' (Concat): needs the attribute 'axis'", Refusal("Concat", [F([2, 3]), F([2, 3])]));
        Assert.Equal("m.onnx: node 'n' (Split): split sizes [1,1] do not add up to axis 0 of F32[3]", Refusal("Split", [F([3]), L(1, 1)], outputs: 2));
        Assert.Equal("m.onnx: node 'n' (Slice): a slice step is 0", Refusal("Slice", [F([3]), L(0), L(2), L(0), L(0)]));
        Assert.Equal("m.onnx: node 'n' (Slice): starts, ends, axes and steps must have the same length", Refusal("Slice", [F([3]), L(0), L(2, 3)]));
        Assert.Equal("m.onnx: node 'n' (Gather): index 3 is out of range for axis 0 of size 3", Refusal("Gather", [F([3]), L(3)]));
        Assert.Equal("m.onnx: node 'n' (Expand): cannot expand F32[2] to [3]", Refusal("Expand", [F([2]), L(3)]));
        Assert.Equal("m.onnx: node 'n' (Tile): repeats has 1 entries for a tensor of rank 2", Refusal("Tile", [F([2, 3]), L(2)]));
        Assert.Equal("m.onnx: node 'n' (ConstantOfShape): computed a negative dimension in shape [-1]", Refusal("ConstantOfShape", [L(-1)]));
        Assert.Equal("m.onnx: node 'n' (Constant): has none of the value attributes RnnGraph reads (value, value_float(s), value_int(s))", Refusal("Constant", []));
        Assert.Equal("m.onnx: node 'n' (Range): delta is 0", Refusal("Range", [TensorValue.FromInt64([0], []), TensorValue.FromInt64([3], []), TensorValue.FromInt64([0], [])]));
        Assert.Equal("m.onnx: node 'n' (Gather): a F32 tensor cannot be converted to integers (expected an integer dtype such as I32 or I64)", Refusal("Gather", [F([3]), TensorValue.FromFloat([2.5f], 1)]));
    }

    [Fact]
    public void Matrix_operators()
    {
        Assert.Equal("m.onnx: node 'n' (MatMul): cannot multiply F32[2,3] by F32[4,5]: inner dimensions 3 and 4 differ", Refusal("MatMul", [F([2, 3]), F([4, 5])]));
        Assert.Equal("m.onnx: node 'n' (MatMul): multiplies I64[2] by I64[2]; both must have the same floating-point type", Refusal("MatMul", [L(1, 2), L(1, 2)]));
        Assert.Equal("m.onnx: node 'n' (Gemm): needs 2-D A and B but got F32[3] and F32[3,2]", Refusal("Gemm", [F([3]), F([3, 2])]));
        Assert.Equal("m.onnx: node 'n' (Gemm): C F32[3] does not broadcast to [2,2]", Refusal("Gemm", [F([2, 3]), F([3, 2]), F([3])]));
        Assert.Equal("m.onnx: node 'n' (Softmax): axis 2 is out of range for a tensor of rank 2", Refusal("Softmax", [F([2, 3])], attributes: Int("axis", 2)));
    }

    [Fact]
    public void Recurrent_operators()
    {
        var x = F([2, 1, 3]);
        var w = F([1, 4, 3]);
        var r = F([1, 4, 4]);
        Assert.Equal("m.onnx: node 'n' (RNN): direction 'sideways' is not forward, reverse or bidirectional", Refusal("RNN", [x, w, r], attributes: S("direction", "sideways")));
        Assert.Equal("m.onnx: node 'n' (RNN): layout 2 is not 0 or 1", Refusal("RNN", [x, w, r], attributes: Int("layout", 2)));
        Assert.Equal("m.onnx: node 'n' (RNN): X must be 3-D ([seq_length, batch_size, input_size]) but is F32[2,3]", Refusal("RNN", [F([2, 3]), w, r]));
        Assert.Equal("m.onnx: node 'n' (RNN): W is F32[1,4,3] but hidden_size 3 needs [1, 3, 3]", Refusal("RNN", [x, w, r], attributes: Int("hidden_size", 3)));
        Assert.Equal("m.onnx: node 'n' (RNN): R is F32[1,4,3] but must be [1,4,4]", Refusal("RNN", [x, w, F([1, 4, 3])]));
        Assert.Equal("m.onnx: node 'n' (RNN): B is F32[1,4] but must be [1,8]", Refusal("RNN", [x, w, r, F([1, 4])]));
        Assert.Equal("m.onnx: node 'n' (RNN): clip -1 must be positive", Refusal("RNN", [x, w, r], attributes: Fl("clip", -1)));
        Assert.Equal("m.onnx: node 'n' (RNN): sequence_lens[0] = 3 lies outside 0..2 (the sequence length of X)", Refusal("RNN", [x, w, r, null, TensorValue.FromInt32([3], 1)]));
        Assert.Equal("m.onnx: node 'n' (RNN): sequence_lens is I32[2] but must be [1] (one length per batch entry)", Refusal("RNN", [x, w, r, null, TensorValue.FromInt32([1, 1], 2)]));
        Assert.Equal("m.onnx: node 'n' (RNN): initial_h is F32[1,2,4] but must be [1,1,4]", Refusal("RNN", [x, w, r, null, null, F([1, 2, 4])]));
        Assert.Equal("m.onnx: node 'n' (RNN): lists 3 activations; a one-direction RNN needs 1 (Tanh per direction)", Refusal("RNN", [x, w, r], attributes: Strs("activations", "Tanh", "Tanh", "Tanh")));
        Assert.Equal("m.onnx: node 'n' (RNN): activation 'Gelu' is not one of ONNX's recurrent activations (Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus)", Refusal("RNN", [x, w, r], attributes: Strs("activations", "Gelu")));
        Assert.Equal("m.onnx: node 'n' (LSTM): P is F32[1,4] but must be [1,3]", Refusal("LSTM", [x, F([1, 4, 3]), F([1, 4, 1]), null, null, null, null, F([1, 4])]));
        Assert.Equal("m.onnx: node 'n' (GRU): X must be floating point but is I64[2]", Refusal("GRU", [L(1, 2), w, r]));
    }
}
