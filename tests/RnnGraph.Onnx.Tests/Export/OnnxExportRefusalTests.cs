using RnnGraph.Onnx.Export;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Tests.Export;

/// <summary>What export refuses, with the message that names the spec key or tensor and the fix.</summary>
public class OnnxExportRefusalTests
{
    private const string Lstm = "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: lstm, hidden: 2 }\n";

    private static string Refusal(string yaml, OnnxExportOptions options, Func<Dictionary<string, TensorValue>, Dictionary<string, TensorValue>>? editWeights = null)
    {
        var compilation = ExportCases.Compile(yaml);
        var weights = ExportCases.RandomWeights(compilation.Model!, seed: 1);
        if (editWeights is not null) weights = editWeights(weights);
        return Assert.Throws<OnnxException>(() => OnnxExporter.Export(compilation, weights, options, "w.safetensors")).Message;
    }

    [Theory]
    [InlineData(13)]
    [InlineData(22)]
    public void Unsupported_opsets_are_refused(int opset) =>
        Assert.Equal($"--opset {opset} is not supported: RnnGraph exports operator sets 14 to 21 (the recurrent operators' layout attribute appeared in 14)",
            Refusal(Lstm, new OnnxExportOptions(Opset: opset)));

    [Fact]
    public void One_to_many_is_refused_naming_the_topology() =>
        Assert.Equal("model.topology: one-to-many models cannot be exported to ONNX yet; export supports many-to-many, many-to-one (pooling: last) and encoder-decoder",
            Refusal("model:\n  topology: one-to-many\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 2 }\n    - dense: { units: 4 }\n", new OnnxExportOptions()));

    [Fact]
    public void One_to_one_is_refused_naming_the_topology() =>
        Assert.Equal("model.topology: one-to-one models cannot be exported to ONNX yet; export supports many-to-many, many-to-one (pooling: last) and encoder-decoder",
            Refusal(Lstm.Replace("model:\n", "model:\n  topology: one-to-one\n"), new OnnxExportOptions()));

    [Fact]
    public void Pooling_other_than_last_is_refused_naming_the_key() =>
        Assert.Equal("model.pooling: 'mean' cannot be exported to ONNX yet; export supports many-to-one models with pooling: last",
            Refusal(Lstm.Replace("model:\n", "model:\n  topology: many-to-one\n  pooling: mean\n"), new OnnxExportOptions()));

    [Fact]
    public void A_custom_cell_needs_steps() =>
        Assert.Equal("layer 'rnn' uses the custom cell 'plain', which exports as primitive operators unrolled over a fixed number of steps: give --steps T (the sequence length the model will be run at)",
            Refusal(Custom, new OnnxExportOptions()));

    [Fact]
    public void Steps_are_refused_for_builtin_cells() =>
        Assert.Equal("--steps 5 is only for models with custom cells: this model's cells are built in and export as RNN/GRU/LSTM operators with a dynamic sequence length; remove --steps",
            Refusal(Lstm, new OnnxExportOptions(Steps: 5)));

    [Fact]
    public void Steps_out_of_range_are_refused() =>
        Assert.Equal("--steps 10001 is out of range: give a sequence length from 1 to 10000", Refusal(Custom, new OnnxExportOptions(Steps: 10001)));

    [Fact]
    public void A_missing_weight_is_named_with_its_shape() =>
        Assert.Equal("w.safetensors: missing tensor 'rnn.weight_hh_l0' of shape [8,2]",
            Refusal(Lstm, new OnnxExportOptions(), w => w.Where(p => p.Key != "rnn.weight_hh_l0").ToDictionary()));

    [Fact]
    public void A_weight_of_the_wrong_shape_is_named() =>
        Assert.Equal("w.safetensors: tensor 'rnn.bias_ih_l0' has shape [4] but the spec needs [8]",
            Refusal(Lstm, new OnnxExportOptions(), w => { w["rnn.bias_ih_l0"] = TensorValue.FromFloat(new float[4], 4); return w; }));

    [Fact]
    public void Weights_of_another_spec_are_refused() =>
        Assert.Equal("w.safetensors: unexpected tensor 'dense.weight'; the spec's parameters are rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0 (are these the weights of another spec?)",
            Refusal(Lstm, new OnnxExportOptions(), w => { w["dense.weight"] = TensorValue.FromFloat(new float[4], 2, 2); return w; }));

    [Fact]
    public void Integer_weights_are_refused() =>
        Assert.Equal("w.safetensors: tensor 'rnn.bias_hh_l0' has dtype I64; weights must be floating point (F32)",
            Refusal(Lstm, new OnnxExportOptions(), w => { w["rnn.bias_hh_l0"] = TensorValue.FromInt64(new long[8], 8); return w; }));

    private const string Custom = "cells:\n  plain:\n    params:\n      weight_ih: [hidden, input]\n      weight_hh: [hidden, hidden]\n    state: [h]\n    equations: |\n      h = tanh(weight_ih @ x + weight_hh @ h[t-1])\n    output: h\n" +
                                  "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: plain, hidden: 2 }\n";
}
