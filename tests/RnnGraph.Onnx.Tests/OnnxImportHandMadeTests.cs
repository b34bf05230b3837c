using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;
using static RnnGraph.Onnx.Proto.TensorProto.Types;

namespace RnnGraph.Onnx.Tests;

/// <summary>
/// Graphs built here with random weights for what the torch exports do not show (GRU with linear_before_reset=0,
/// RNN relu with given initial states, bidirectional LSTM with peepholes, batch-first layout=1 stacks with a dense
/// softmax head, glue in the style of RnnGraph's own exporter). Each imported spec, run by RnnGraph, must give what
/// the ONNX evaluator (an independent implementation of the operator spec, checked against ONNX's and torch's
/// references by the golden tests) gives for the ONNX graph. Refusals are checked word for word.
/// </summary>
public class OnnxImportHandMadeTests
{
    public static TheoryData<string> RecognizedCases() => new() { "gru_lbr0", "rnn_relu_stack_given_h0", "lstm_bidi_peepholes", "gru_layout1_dense_softmax", "lstm_stack_exporter_glue", "one_hot_tokens_zero_bias" };

    private static (OnnxModel Model, Dictionary<string, TensorValue> Inputs, string SpecLine) Recognized(string name)
    {
        var b = new HandMadeOnnx(seed: name.Length);
        var inputs = new Dictionary<string, TensorValue>();
        switch (name)
        {
            case "gru_lbr0":
                b.Input("x", DataType.Float, "T", "B", 3);
                b.Node("GRU", "gru", ["x", b.Random("W", 1, 12, 3), b.Random("R", 1, 12, 4), b.Random("B", 1, 24)], ["Y", "Y_h"], ("hidden_size", 4L));
                b.Node("Squeeze", "squeeze", ["Y", b.Ints("axis1", 1)], ["y"]);
                b.Output("y");
                b.Output("Y_h");
                inputs["x"] = HandMadeOnnx.RandomTensor(1, 5, 2, 3);
                return (b.Build(), inputs, "- rnn: { cell: gru, hidden: 4, reset_after: false }");
            case "rnn_relu_stack_given_h0":
                b.Input("x", DataType.Float, "T", "B", 3);
                b.Input("h0", DataType.Float, 2, "B", 4);
                b.Node("Slice", "slice0", ["h0", b.Ints("start0", 0), b.Ints("e0", 1), b.Ints("a0", 0)], ["h0_0"]);
                b.Node("Slice", "slice1", ["h0", b.Ints("start1", 1), b.Ints("e1", 2), b.Ints("a1", 0)], ["h0_1"]);
                b.Node("RNN", "rnn0", ["x", b.Random("W0", 1, 4, 3), b.Random("R0", 1, 4, 4), b.Random("B0", 1, 8), "", "h0_0"], ["Y0", "Yh0"],
                    ("hidden_size", 4L), ("activations", new[] { "Relu" }));
                b.Node("Squeeze", "squeeze0", ["Y0", b.Ints("axis1", 1)], ["s0"]);
                b.Node("RNN", "rnn1", ["s0", b.Random("W1", 1, 4, 4), b.Random("R1", 1, 4, 4), b.Random("B1", 1, 8), "", "h0_1"], ["Y1", "Yh1"],
                    ("hidden_size", 4L), ("activations", new[] { "Relu" }));
                b.Node("Squeeze", "squeeze1", ["Y1", "axis1"], ["y"]);
                b.Node("Concat", "concat", ["Yh0", "Yh1"], ["h_n"], ("axis", 0L));
                b.Output("y");
                b.Output("h_n");
                inputs["x"] = HandMadeOnnx.RandomTensor(2, 4, 3, 3);
                inputs["h0"] = HandMadeOnnx.RandomTensor(3, 2, 3, 4);
                return (b.Build(), inputs, "- rnn: { cell: rnn_relu, hidden: 4, layers: 2 }");
            case "lstm_bidi_peepholes":
                b.Input("x", DataType.Float, "T", "B", 3);
                b.Node("LSTM", "lstm", ["x", b.Random("W", 2, 16, 3), b.Random("R", 2, 16, 4), b.Random("B", 2, 32), "", "", "", b.Random("P", 2, 12)],
                    ["Y", "Y_h", "Y_c"], ("hidden_size", 4L), ("direction", "bidirectional"));
                b.Node("Transpose", "transpose", ["Y"], ["t"], ("perm", new long[] { 0, 2, 1, 3 }));
                b.Node("Reshape", "reshape", ["t", b.Ints("shape", 0, 0, -1)], ["y"]);
                b.Output("y");
                b.Output("Y_h");
                b.Output("Y_c");
                inputs["x"] = HandMadeOnnx.RandomTensor(4, 6, 2, 3);
                return (b.Build(), inputs, "- rnn: { cell: lstm, hidden: 4, bidirectional: true, peepholes: true }");
            case "gru_layout1_dense_softmax":
                b.Input("x", DataType.Float, "B", "T", 3);
                b.Node("GRU", "gru0", ["x", b.Random("W0", 1, 15, 3), b.Random("R0", 1, 15, 5), b.Random("B0", 1, 30)], ["Y0"],
                    ("hidden_size", 5L), ("linear_before_reset", 1L), ("layout", 1L));
                b.Node("Reshape", "reshape", ["Y0", b.Ints("shape", 0, 0, -1)], ["s0"]);
                b.Node("GRU", "gru1", ["s0", b.Random("W1", 1, 15, 5), b.Random("R1", 1, 15, 5), b.Random("B1", 1, 30)], ["Y1"],
                    ("hidden_size", 5L), ("linear_before_reset", 1L), ("layout", 1L));
                b.Node("Squeeze", "squeeze", ["Y1", b.Ints("axis2", 2)], ["s1"]);
                b.Node("MatMul", "matmul", ["s1", b.Random("Wd", 5, 6)], ["m"]);
                b.Node("Add", "add", ["m", b.Random("bd", 6)], ["a"]);
                b.Node("Softmax", "softmax", ["a"], ["probs"], ("axis", -1L));
                b.Output("probs");
                inputs["x"] = HandMadeOnnx.RandomTensor(5, 3, 4, 3);
                return (b.Build(), inputs, "- rnn: { cell: gru, hidden: 5, layers: 2, batch_first: true }\n    - dense: { units: 6, activation: softmax }");
            case "lstm_stack_exporter_glue":
                b.Input("x", DataType.Float, "T", "B", 2);
                b.Node("LSTM", "lstm_l0", ["x", b.Random("W0", 1, 12, 2), b.Random("R0", 1, 12, 3)], ["Y0", "Yh0", "Yc0"], ("hidden_size", 3L));
                b.Node("Transpose", "t0", ["Y0"], ["t0"], ("perm", new long[] { 0, 2, 1, 3 }));
                b.Node("Reshape", "r0", ["t0", b.Ints("shape", 0, 0, -1)], ["s0"]);
                b.Node("LSTM", "lstm_l1", ["s0", b.Random("W1", 1, 12, 3), b.Random("R1", 1, 12, 3)], ["Y1", "Yh1", "Yc1"], ("hidden_size", 3L));
                b.Node("Transpose", "t1", ["Y1"], ["t1"], ("perm", new long[] { 0, 2, 1, 3 }));
                b.Node("Reshape", "r1", ["t1", "shape"], ["s1"]);
                b.Node("MatMul", "head", ["s1", b.Random("Wd", 3, 2)], ["y"]);
                b.Node("Concat", "hn", ["Yh0", "Yh1"], ["h_n"], ("axis", 0L));
                b.Node("Concat", "cn", ["Yc0", "Yc1"], ["c_n"], ("axis", 0L));
                b.Output("y");
                b.Output("h_n");
                b.Output("c_n");
                inputs["x"] = HandMadeOnnx.RandomTensor(6, 5, 2, 2);
                return (b.Build(), inputs, "- rnn: { cell: lstm, hidden: 3, layers: 2, bias: false }\n    - dense: { units: 2, bias: false }");
            case "one_hot_tokens_zero_bias":
                {
                    b.Input("ids", DataType.Int64, "T", "B");
                    var eye = new float[25];
                    for (int i = 0; i < 5; i++) eye[i * 5 + i] = 1;
                    b.Node("Gather", "one_hot", [b.Initializer("eye", TensorValue.FromFloat(eye, 5, 5)), "ids"], ["oh"]);
                    b.Node("LSTM", "lstm", ["oh", b.Random("W", 1, 8, 5), b.Random("R", 1, 8, 2), b.Initializer("B", TensorValue.FromFloat(new float[16], 1, 16))], ["Y"]);
                    b.Node("Squeeze", "squeeze", ["Y", b.Ints("axis1", 1)], ["y"]);
                    b.Output("y");
                    inputs["ids"] = TensorValue.FromInt64([0, 4, 2, 3, 1, 1, 4, 0], 4, 2);
                    return (b.Build(), inputs, "x: { vocab: 5, one_hot: true }\n  layers:\n    - rnn: { cell: lstm, hidden: 2, bias: false }");
                }
        }
        throw new ArgumentException(name);
    }

    [Theory]
    [MemberData(nameof(RecognizedCases))]
    public void Imported_spec_matches_the_onnx_evaluator(string name)
    {
        var (model, inputs, specLine) = Recognized(name);
        var imported = OnnxImporter.Import(model);
        Assert.Contains(specLine, imported.SpecYaml);
        var reference = OnnxEvaluator.Evaluate(model, inputs);
        var outputs = OnnxImportGoldenTests.EvaluateImported(imported, inputs);
        var expected = reference.ToDictionary(p => imported.Outputs.Single(o => o.Key == p.Key).Value, p => p.Value);
        var comparisons = TensorComparison.CompareAll(outputs.Where(p => expected.ContainsKey(p.Key)).ToDictionary(), expected);
        Assert.Equal(model.Outputs.Count, comparisons.Count);
        var failed = comparisons.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Problem ?? $"max |diff| {c.MaxAbsDifference:g3} > {c.Tolerance:g3}"}").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }

    [Fact]
    public void Given_initial_states_and_final_states_get_eval_names()
    {
        var imported = OnnxImporter.Import(Recognized("rnn_relu_stack_given_h0").Model);
        Assert.Equal([new("x", "x"), new("h0", "h0")], imported.Inputs);
        Assert.Equal([new("y", "y"), new("h_n", "h_n")], imported.Outputs);
        var lstm = OnnxImporter.Import(Recognized("lstm_bidi_peepholes").Model);
        Assert.Equal([new("y", "y"), new("Y_h", "h_n"), new("Y_c", "c_n")], lstm.Outputs);
        Assert.Equal(["rnn.bias_hh_l0", "rnn.bias_hh_l0_reverse", "rnn.bias_ih_l0", "rnn.bias_ih_l0_reverse", "rnn.weight_hh_l0", "rnn.weight_hh_l0_reverse",
                      "rnn.weight_ih_l0", "rnn.weight_ih_l0_reverse", "rnn.weight_p_l0", "rnn.weight_p_l0_reverse"], lstm.Weights.Keys);
    }

    /// <summary>x [T,B,3] -> one recurrent node (configured by <paramref name="node"/>) -> Squeeze -> y.</summary>
    private static OnnxModel Single(string op, int hidden, Action<HandMadeOnnx, string[]> node, string? after = null)
    {
        var b = new HandMadeOnnx();
        int gates = op switch { "RNN" => 1, "GRU" => 3, _ => 4 };
        b.Input("x", DataType.Float, "T", "B", 3);
        node(b, ["x", b.Random("W", 1, gates * hidden, 3), b.Random("R", 1, gates * hidden, hidden)]);
        b.Node("Squeeze", "squeeze", ["Y", b.Ints("axis1", 1)], [after is null ? "y" : "s"]);
        if (after is not null) b.Node(after, "scale", ["s", b.Random("k", 1)], ["y"]);
        b.Output("y");
        return b.Build();
    }

    private static string Refusal(OnnxModel model) => Assert.Throws<OnnxException>(() => OnnxImporter.Import(model)).Message;

    [Fact]
    public void Clip_is_refused()
    {
        var model = Single("LSTM", 2, (b, i) => b.Node("LSTM", "lstm", i, ["Y"], ("hidden_size", 2L), ("clip", 2.5f)));
        Assert.Equal("hand.onnx: node 'lstm' (LSTM): has attribute clip = 2.5; RnnGraph's cells do not clip their gate inputs (re-export without clip)", Refusal(model));
    }

    [Fact]
    public void Input_forget_is_refused()
    {
        var model = Single("LSTM", 2, (b, i) => b.Node("LSTM", "lstm", i, ["Y"], ("hidden_size", 2L), ("input_forget", 1L)));
        Assert.Equal("hand.onnx: node 'lstm' (LSTM): has attribute input_forget = 1 (coupled input and forget gates); RnnGraph's LSTM has independent gates", Refusal(model));
    }

    [Fact]
    public void Unsupported_activations_are_refused()
    {
        var rnn = Single("RNN", 2, (b, i) => b.Node("RNN", "rnn", i, ["Y"], ("activations", new[] { "Sigmoid" })));
        Assert.Equal("hand.onnx: node 'rnn' (RNN): has activations [Sigmoid]; RnnGraph's RNN cells use Tanh (rnn_tanh) or Relu (rnn_relu) for every direction", Refusal(rnn));
        var gru = Single("GRU", 2, (b, i) => b.Node("GRU", "gru", i, ["Y"], ("activations", new[] { "HardSigmoid", "Tanh" })));
        Assert.Equal("hand.onnx: node 'gru' (GRU): has activations [HardSigmoid, Tanh]; RnnGraph's GRU cells use Sigmoid, Tanh for every direction", Refusal(gru));
    }

    [Fact]
    public void Reverse_only_layers_are_refused()
    {
        var model = Single("GRU", 2, (b, i) => b.Node("GRU", "gru", i, ["Y"], ("direction", "reverse")));
        Assert.Equal("hand.onnx: node 'gru' (GRU): has direction 'reverse'; RnnGraph's recurrent layers run forward or in both directions (bidirectional), not only in reverse", Refusal(model));
    }

    [Fact]
    public void An_extra_operator_on_the_data_path_is_named()
    {
        var model = Single("LSTM", 2, (b, i) => b.Node("LSTM", "lstm", i, ["Y"]), after: "Mul");
        Assert.Equal("hand.onnx: node 'scale' (Mul): reads the model's data ('s') after node 'lstm' (LSTM) but does not fit an RnnGraph model: only shape-only glue " +
                     "(Transpose, Reshape, Squeeze, Unsqueeze, Identity), an embedding Gather, RNN/GRU/LSTM, a dense layer (MatMul [+ Add of a bias] or Gemm) and a final Softmax/LogSoftmax can be on the path",
            Refusal(model));
    }

    [Fact]
    public void Glue_that_interleaves_the_directions_is_refused()
    {
        var b = new HandMadeOnnx();
        b.Input("x", DataType.Float, "T", "B", 3);
        b.Node("GRU", "gru", ["x", b.Random("W", 2, 6, 3), b.Random("R", 2, 6, 2)], ["Y"], ("direction", "bidirectional"), ("linear_before_reset", 1L));
        b.Node("Transpose", "transpose", ["Y"], ["t"], ("perm", new long[] { 0, 2, 3, 1 })); // [T,B,H,D]: features h-major
        b.Node("Reshape", "reshape", ["t", b.Ints("shape", 0, 0, -1)], ["y"]);
        b.Output("y");
        Assert.Equal("hand.onnx: output 'y' has the layout [T,B,gru:H·gru:D] (in terms of sequence T, batch B and features); RnnGraph's y is [T,B,F] or [B,T,F] with the features in order",
            Refusal(b.Build()));
    }

    [Fact]
    public void Sequence_lengths_are_refused()
    {
        var b = new HandMadeOnnx();
        b.Input("x", DataType.Float, "T", "B", 3);
        b.Input("lens", DataType.Int32, "B");
        b.Node("RNN", "rnn", ["x", b.Random("W", 1, 2, 3), b.Random("R", 1, 2, 2), "", "lens"], ["Y"]);
        b.Node("Squeeze", "squeeze", ["Y", b.Ints("axis1", 1)], ["y"]);
        b.Output("y");
        Assert.Equal("hand.onnx: the graph has 2 inputs (x, lens); an RnnGraph model reads one sequence (plus, optionally, initial states of its recurrent layers)", Refusal(b.Build()));
    }

    [Fact]
    public void A_graph_without_a_recurrent_node_is_refused()
    {
        var b = new HandMadeOnnx();
        b.Input("x", DataType.Float, "T", "B", 3);
        b.Node("MatMul", "matmul", ["x", b.Random("W", 3, 2)], ["y"]);
        b.Output("y");
        Assert.Equal("hand.onnx: the graph has no RNN, GRU or LSTM node on the path from input 'x' to its output; there is no recurrent model to import", Refusal(b.Build()));
    }
}
