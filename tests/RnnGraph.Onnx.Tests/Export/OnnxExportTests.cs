using RnnGraph.Onnx.Export;
using RnnGraph.Runtime.Evaluation;

namespace RnnGraph.Onnx.Tests.Export;

/// <summary>
/// Exported models run by <see cref="OnnxEvaluator"/> give the outputs of RnnGraph's own evaluation of the spec
/// (<see cref="TensorEvaluator"/>, itself checked against PyTorch) on the same random weights and inputs, within
/// DESIGN §6's tolerance. Built-in cells are checked at two sequence lengths and batch sizes, since their
/// exported shapes are symbolic.
/// </summary>
public class OnnxExportTests
{
    private const string FloatInput = "model:\n  inputs:\n    x: { size: 4 }\n  layers:\n";

    public static TheoryData<string, string> BuiltinCases() => new()
    {
        { "rnn_tanh_2_layers", FloatInput + "    - rnn: { cell: rnn_tanh, hidden: 5, layers: 2 }\n" },
        { "rnn_relu_bidirectional", FloatInput + "    - rnn: { cell: rnn_relu, hidden: 5, bidirectional: true }\n" },
        { "gru_bidirectional", FloatInput + "    - rnn: { cell: gru, hidden: 5, bidirectional: true }\n" },
        { "gru_reset_after_false", FloatInput + "    - rnn: { cell: gru, hidden: 5, reset_after: false, layers: 2 }\n" },
        { "gru_no_bias", FloatInput + "    - rnn: { cell: gru, hidden: 5, bias: false }\n" },
        { "lstm_2_layers_bidirectional", FloatInput + "    - rnn: { cell: lstm, hidden: 5, layers: 2, bidirectional: true }\n" },
        { "lstm_peepholes", FloatInput + "    - rnn: { cell: lstm, hidden: 5, peepholes: true, bidirectional: true }\n" },
        { "lstm_dense_softmax", FloatInput + "    - rnn: { cell: lstm, hidden: 6 }\n    - dense: { units: 3, activation: softmax }\n" },
        { "lstm_batch_first", FloatInput + "    - rnn: { cell: lstm, hidden: 5, layers: 2, batch_first: true }\n    - dense: { units: 3 }\n" },
        { "merge_sum", FloatInput + "    - rnn: { cell: gru, hidden: 5, layers: 2, bidirectional: true, merge: sum }\n" },
        { "merge_ave", FloatInput + "    - rnn: { cell: lstm, hidden: 5, bidirectional: true, merge: ave }\n    - dense: { units: 2 }\n" },
        { "two_rnn_layers", FloatInput + "    - rnn: { name: enc, cell: gru, hidden: 5 }\n    - rnn: { name: dec, cell: lstm, hidden: 4, bidirectional: true }\n" },
        { "embed_gru_dense", "model:\n  inputs:\n    x: { vocab: 11 }\n  layers:\n    - embed: { dim: 4 }\n    - rnn: { cell: gru, hidden: 5 }\n    - dense: { units: 11, activation: softmax }\n" },
        { "one_hot_lstm_batch_first", "model:\n  inputs:\n    x: { vocab: 7, one_hot: true }\n  layers:\n    - rnn: { cell: lstm, hidden: 5, batch_first: true }\n    - dense: { units: 7 }\n" },
        { "many_to_one_bidirectional", "model:\n  topology: many-to-one\n  inputs:\n    x: { size: 4 }\n  layers:\n    - rnn: { cell: lstm, hidden: 5, layers: 2, bidirectional: true }\n    - dense: { units: 3, activation: softmax }\n" },
        { "many_to_one_embed_gru", "model:\n  topology: many-to-one\n  inputs:\n    x: { vocab: 9 }\n  layers:\n    - embed: { dim: 3 }\n    - rnn: { cell: gru, hidden: 5, bidirectional: true, merge: mul }\n    - dense: { units: 2 }\n" },
    };

    [Theory]
    [MemberData(nameof(BuiltinCases))]
    public void Builtin_cells_export_as_recurrent_operators_that_match_the_spec(string name, string yaml)
    {
        var compilation = ExportCases.Compile(yaml);
        var weights = ExportCases.RandomWeights(compilation.Model!, seed: name.Length);
        foreach (bool initialStates in new[] { false, true })
        {
            var model = ExportCases.ExportAndRead(compilation, weights, new OnnxExportOptions(InitialStates: initialStates), name + (initialStates ? "_initial_states" : ""));
            var ops = model.Graph.Node.Select(n => n.OpType).ToHashSet();
            Assert.Contains(ops, op => op is "RNN" or "GRU" or "LSTM");
            foreach (var (steps, batch) in new[] { (5, 3), (2, 1) })
                AssertMatches(compilation, weights, model, ExportCases.RandomInputs(compilation.Model!, steps, batch, seed: steps, initialStates));
        }
    }

    private const string Mgu = """
        cells:
          mgu:
            params:
              weight_ih: [2*hidden, input]
              weight_hf: [hidden, hidden]
              weight_hn: [hidden, hidden]
              bias_ih: [2*hidden]
            state: [h]
            equations: |
              xf, xn = chunk(weight_ih @ x + bias_ih, 2)
              f = sigmoid(xf + weight_hf @ h[t-1])
              n = tanh(xn + weight_hn @ (f * h[t-1]))
              h = (1 - f) * h[t-1] + f * n
            output: h
          twostate:
            params:
              weight_ih: [2*hidden, input]
              weight_hh: [2*hidden, hidden]
              weight_c: [hidden]
            state: [h, c]
            equations: |
              a, b = chunk(weight_ih @ x + weight_hh @ h[t-1], 2)
              c = relu(a) + weight_c * c[t-1] / (1 + exp(-b))
              h = softmax(c) - log(1 + exp(b))
            output: h

        """;

    public static TheoryData<string, string> CustomCases() => new()
    {
        { "custom_mgu_2_layers_dense", Mgu + FloatInput + "    - rnn: { cell: mgu, hidden: 5, layers: 2 }\n    - dense: { units: 3, activation: softmax }\n" },
        { "custom_mgu_bidirectional_batch_first", Mgu + FloatInput + "    - rnn: { cell: mgu, hidden: 4, bidirectional: true, batch_first: true }\n" },
        { "custom_two_states_tokens", Mgu + "model:\n  inputs:\n    x: { vocab: 6 }\n  layers:\n    - embed: { dim: 3 }\n    - rnn: { cell: twostate, hidden: 4 }\n    - dense: { units: 6 }\n" },
        { "custom_one_hot_many_to_one", Mgu + "model:\n  topology: many-to-one\n  inputs:\n    x: { vocab: 5, one_hot: true }\n  layers:\n    - rnn: { cell: mgu, hidden: 4, bidirectional: true }\n    - dense: { units: 2 }\n" },
        { "custom_beside_builtin", Mgu + FloatInput + "    - rnn: { name: enc, cell: lstm, hidden: 4 }\n    - rnn: { name: dec, cell: mgu, hidden: 3, merge: sum, bidirectional: true }\n" },
    };

    [Theory]
    [MemberData(nameof(CustomCases))]
    public void Custom_cells_export_as_primitive_operators_that_match_the_spec(string name, string yaml)
    {
        var compilation = ExportCases.Compile(yaml);
        var weights = ExportCases.RandomWeights(compilation.Model!, seed: name.Length);
        const int steps = 4;
        foreach (bool initialStates in new[] { false, true })
        {
            var model = ExportCases.ExportAndRead(compilation, weights, new OnnxExportOptions(Steps: steps, InitialStates: initialStates), name + (initialStates ? "_initial_states" : ""));
            Assert.DoesNotContain(model.Graph.Node, n => n.OpType is "RNN" or "GRU" or "LSTM");
            // The batch stays symbolic: one export serves several batch sizes.
            foreach (int batch in new[] { 3, 1 })
                AssertMatches(compilation, weights, model, ExportCases.RandomInputs(compilation.Model!, steps, batch, seed: batch, initialStates));
        }
    }

    [Theory]
    [InlineData(15)]
    [InlineData(18)]
    [InlineData(21)]
    public void Every_supported_opset_exports_the_same_model(int opset)
    {
        foreach (var (name, yaml, steps) in new[] { ("lstm_opset", FloatInput + "    - rnn: { cell: lstm, hidden: 3, bidirectional: true, layers: 2 }\n    - dense: { units: 2, activation: softmax }\n", (int?)null),
                                                    ("mgu_opset", Mgu + FloatInput + "    - rnn: { cell: mgu, hidden: 3 }\n", 3) })
        {
            var compilation = ExportCases.Compile(yaml);
            var weights = ExportCases.RandomWeights(compilation.Model!, seed: opset);
            var model = ExportCases.ExportAndRead(compilation, weights, new OnnxExportOptions(opset, steps), $"{name}{opset}");
            Assert.Equal(opset, model.Opset);
            AssertMatches(compilation, weights, model, ExportCases.RandomInputs(compilation.Model!, 3, 2, seed: 7, initialStates: false));
        }
    }

    private static void AssertMatches(Compiler.Compilation compilation, Dictionary<string, Runtime.IO.TensorValue> weights, OnnxModel model,
        Dictionary<string, Runtime.IO.TensorValue> inputs)
    {
        var expected = TensorEvaluator.Evaluate(compilation, weights, inputs);
        var got = OnnxEvaluator.Evaluate(model, inputs);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
        foreach (var c in TensorComparison.CompareAll(got, expected))
            Assert.True(c.Passed, $"{model.Source}: {c.Name} [{string.Join(",", c.Shape)}]: {c.Problem ?? $"max |diff| {c.MaxAbsDifference:g3} > tolerance {c.Tolerance:g3}"}");
    }
}
