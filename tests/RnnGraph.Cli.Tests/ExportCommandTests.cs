using RnnGraph.Onnx;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;
using RnnGraph.TestSupport;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary>
/// <c>rnngraph export</c> end to end: the written model, read back and run, gives PyTorch's outputs of the golden
/// cases; a run folder exports from its spec and weights; mistakes are one-line errors (exit 1) with nothing written.
/// </summary>
public sealed class ExportCommandTests
{
    [Theory]
    [InlineData("lstm_L2_bi_tf_bias_init", null)]
    [InlineData("gru_reset_before_bf_nobias", null)]
    [InlineData("mgu_dense_softmax", "--steps")]
    public void Exported_golden_case_matches_pytorch(string name, string? option)
    {
        using var temp = new TempFolder();
        string golden = GoldenCase(name);
        var given = SafeTensors.Read(Path.Combine(golden, "inputs.safetensors"));
        string outPath = temp.File("model.onnx");
        var args = new List<string> { "export", Path.Combine(golden, "spec.yaml"), "--weights", Path.Combine(golden, "weights.safetensors"), "--onnx", outPath };
        // Initial states given in the case become graph inputs.
        if (given.ContainsKey("h0")) args.Add("--initial-states");
        if (option == "--steps") args.AddRange(["--steps", given["x"].Shape[0].ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        var result = Run([.. args]);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.StartsWith($"wrote {outPath}: opset 14, inputs x[", result.Out);
        var model = OnnxModelReader.Read(outPath);
        var inputs = given.Where(p => model.Inputs.Any(i => i.Name == p.Key)).ToDictionary(p => p.Key, p => p.Value);
        var got = OnnxEvaluator.Evaluate(model, inputs);
        var expected = SafeTensors.Read(Path.Combine(golden, "expected.safetensors")).Where(p => got.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value);
        Assert.Contains("y", expected.Keys);
        Assert.All(TensorComparison.CompareAll(got, expected), c => Assert.True(c.Passed, $"{c.Name}: {c.Problem} {c.MaxAbsDifference}"));
    }

    [Fact]
    public void The_char_lstm_example_exports_and_matches_pytorch()
    {
        using var temp = new TempFolder();
        string data = Path.Combine(RepoPaths.Examples, "data");
        string outPath = temp.File("char-lstm.onnx");

        var result = Run("export", Example("char-lstm.yaml"), "--weights", Path.Combine(data, "char-lstm.weights.safetensors"), "--onnx", outPath);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"wrote {outPath}: opset 14, inputs x[seq,batch,27]; outputs y[seq,batch,27], h_n[2,batch,32], c_n[2,batch,32]\n" +
                     "  9 nodes (Add=1 Concat=2 LSTM=2 MatMul=1 Softmax=1 Squeeze=2), 10 initializers\n", result.Out);
        var got = OnnxEvaluator.Evaluate(OnnxModelReader.Read(outPath), SafeTensors.Read(Path.Combine(data, "char-lstm.inputs.safetensors")));
        var expected = SafeTensors.Read(Path.Combine(data, "char-lstm.expected.safetensors"));
        Assert.Equal(3, expected.Count);
        Assert.All(TensorComparison.CompareAll(got, expected), c => Assert.True(c.Passed, $"{c.Name}: {c.Problem} {c.MaxAbsDifference}"));
    }

    [Fact]
    public void A_run_folder_exports_its_spec_and_final_weights()
    {
        using var temp = new TempFolder();
        string golden = GoldenCase("gru_L1_bi_tf_bias_noinit");
        string run = Path.Combine(temp.Path, "run");
        Directory.CreateDirectory(run);
        File.Copy(Path.Combine(golden, "spec.yaml"), Path.Combine(run, "spec.yaml"));
        File.Copy(Path.Combine(golden, "weights.safetensors"), Path.Combine(run, "weights.safetensors"));
        string outPath = temp.File("run.onnx");

        var result = Run("export", run, "--onnx", outPath, "--opset", "17");

        Assert.Equal(0, result.ExitCode);
        var model = OnnxModelReader.Read(outPath);
        Assert.Equal(17, model.Opset);
        var got = OnnxEvaluator.Evaluate(model, new Dictionary<string, TensorValue> { ["x"] = SafeTensors.Read(Path.Combine(golden, "inputs.safetensors"))["x"] });
        var expected = SafeTensors.Read(Path.Combine(golden, "expected.safetensors"));
        Assert.All(TensorComparison.CompareAll(got, new Dictionary<string, TensorValue> { ["y"] = expected["y"], ["h_n"] = expected["h_n"] }), c => Assert.True(c.Passed, c.Name));
    }

    [Fact]
    public void A_trained_run_folder_exports_a_model_that_evaluates_like_its_spec()
    {
        using var temp = new TempFolder();
        string run = Path.Combine(temp.Path, "hello");
        Assert.Equal(0, Run("run", Example("hello.yaml"), "--epochs", "2", "--out", run).ExitCode);
        string onnxPath = temp.File("hello.onnx");

        var export = Run("export", run, "--onnx", onnxPath);

        Assert.Equal(0, export.ExitCode);
        // Token ids of the run's vocabulary (vocab: auto, one_hot), [T=4, B=2].
        string inputs = temp.File("in.safetensors");
        SafeTensors.Write(inputs, new Dictionary<string, TensorValue> { ["x"] = TensorValue.FromInt64([2, 4, 5, 6, 6, 7, 3, 5], 4, 2) });
        string evalOut = temp.File("eval.safetensors");
        Assert.Equal(0, Run("eval", Path.Combine(run, "spec.yaml"), "--weights", Path.Combine(run, "weights.safetensors"), "--inputs", inputs, "--out", evalOut).ExitCode);
        var got = OnnxEvaluator.Evaluate(OnnxModelReader.Read(onnxPath), SafeTensors.Read(inputs));
        var expected = SafeTensors.Read(evalOut);
        Assert.Equal(["h_n", "y"], expected.Keys.Order(StringComparer.Ordinal));
        Assert.All(TensorComparison.CompareAll(got, expected), c => Assert.True(c.Passed, $"{c.Name}: {c.Problem} {c.MaxAbsDifference}"));
    }

    [Fact]
    public void A_run_folder_without_final_weights_is_an_error()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(GoldenCase("gru_L1_bi_tf_bias_noinit"), "spec.yaml"), temp.File("spec.yaml"));
        string outPath = temp.File("run.onnx");

        var result = Run("export", temp.Path, "--onnx", outPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"error: run folder '{temp.Path}' has no weights.safetensors (the run has not finished); finish it with 'rnngraph run {temp.Path} --resume' or give --weights"], result.ErrorLines);
        Assert.False(File.Exists(outPath));
    }

    [Fact]
    public void A_missing_spec_or_run_folder_is_an_error()
    {
        using var temp = new TempFolder();
        string missing = temp.File("nothing-here");
        var result = Run("export", missing, "--onnx", temp.File("m.onnx"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"error: '{missing}' does not exist: give a spec file (with --weights) or a run folder written by 'rnngraph run'"], result.ErrorLines);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void A_spec_without_weights_is_an_error()
    {
        using var temp = new TempFolder();
        string spec = Example("char-lstm.yaml");
        var result = Run("export", spec, "--onnx", temp.File("m.onnx"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"error: --weights W.safetensors is required with a spec file ('{spec}'); or give a run folder, whose weights.safetensors is used"], result.ErrorLines);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Weights_of_another_spec_are_a_one_line_error_and_nothing_is_written()
    {
        using var temp = new TempFolder();
        string outPath = temp.File("m.onnx");
        var result = Run("export", Example("char-lstm.yaml"), "--weights", Path.Combine(GoldenCase("gru_L1_bi_tf_bias_noinit"), "weights.safetensors"), "--onnx", outPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: weights.safetensors: unexpected tensor 'rnn.bias_hh_l0_reverse'; the spec's parameters are rnn.weight_ih_l0,", result.Error);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void An_unsupported_opset_is_a_one_line_error()
    {
        using var temp = new TempFolder();
        var result = Run("export", Example("char-lstm.yaml"), "--weights", Path.Combine(RepoPaths.Examples, "data", "char-lstm.weights.safetensors"), "--onnx", temp.File("m.onnx"), "--opset", "9");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["error: --opset 9 is not supported: RnnGraph exports operator sets 14 to 21 (the recurrent operators' layout attribute appeared in 14)"], result.ErrorLines);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void An_unsupported_topology_names_the_key()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("spec.yaml", "model:\n  topology: one-to-one\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: gru, hidden: 2 }\n");
        string weights = Path.Combine(GoldenCase("gru_L1_uni_tf_bias_noinit"), "weights.safetensors");
        var result = Run("export", spec, "--weights", weights, "--onnx", temp.File("m.onnx"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["error: model.topology: one-to-one models cannot be exported to ONNX yet; export supports many-to-many, many-to-one (pooling: last) and encoder-decoder"], result.ErrorLines);
        Assert.False(File.Exists(temp.File("m.onnx")));
    }

    [Fact]
    public void Help_describes_the_mapping_and_the_refusals()
    {
        var result = Run("export", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("usage: rnngraph export SPEC|RUN [--weights W.safetensors] --onnx OUT.onnx [--opset N] [--steps T] [--initial-states] [--set KEY=VALUE]", result.Out);
        Assert.Contains("linear_before_reset", result.Out);
        Assert.Contains("one-to-many", result.Out);
    }
}
