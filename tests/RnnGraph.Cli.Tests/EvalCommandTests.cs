using RnnGraph.Runtime.IO;
using RnnGraph.TestSupport;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary>
/// <c>rnngraph eval</c> end to end on PyTorch golden data (DESIGN §5), and its failures: a
/// one-line error, exit 1, and no output file.
/// </summary>
public sealed class EvalCommandTests
{
    private const string LstmCase = "lstm_L2_bi_tf_bias_init";

    [Theory]
    [InlineData(LstmCase)]               // h0, c0 given; dy and dh_n seed the backward pass
    [InlineData("gru_reset_before_bf_nobias")]
    [InlineData("mgu_dense_softmax")]    // a user cell under cells:, with a dense head
    public void Matches_pytorch_golden_outputs_and_gradients(string name)
    {
        using var temp = new TempFolder();
        string golden = GoldenCase(name);
        string outPath = temp.File("out.safetensors");

        var result = Run("eval", Path.Combine(golden, "spec.yaml"),
                         "--weights", Path.Combine(golden, "weights.safetensors"),
                         "--inputs", Path.Combine(golden, "inputs.safetensors"),
                         "--out", outPath);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        var actual = SafeTensors.Read(outPath);
        var expected = SafeTensors.Read(Path.Combine(golden, "expected.safetensors"));
        Assert.NotEmpty(expected);
        foreach (var (tensor, reference) in expected)
        {
            Assert.True(actual.TryGetValue(tensor, out var got), $"'{tensor}' missing from the output; it has {string.Join(", ", actual.Keys.Order())}");
            Assert.Equal(DType.F32, got.DType);
            Assert.Equal(reference.Shape, got.Shape);
            AssertClose(tensor, reference.ToDoubleArray(), got.ToDoubleArray());
        }
    }

    [Fact]
    public void Missing_weight_is_a_one_line_error_and_nothing_is_written()
    {
        using var temp = new TempFolder();
        var weights = SafeTensors.Read(Path.Combine(GoldenCase(LstmCase), "weights.safetensors"));
        Assert.True(weights.Remove("rnn.weight_hh_l1_reverse"));
        string weightsPath = temp.File("weights.safetensors");
        SafeTensors.Write(weightsPath, weights);

        var (result, outPath) = Eval(temp, weightsPath: weightsPath);

        AssertFailedCleanly(result, outPath, "rnn.weight_hh_l1_reverse");
    }

    [Fact]
    public void Wrong_shaped_weight_is_a_one_line_error_and_nothing_is_written()
    {
        using var temp = new TempFolder();
        var weights = SafeTensors.Read(Path.Combine(GoldenCase(LstmCase), "weights.safetensors"));
        weights["rnn.bias_ih_l0"] = TensorValue.FromFloat(new float[15], 15);
        string weightsPath = temp.File("weights.safetensors");
        SafeTensors.Write(weightsPath, weights);

        var (result, outPath) = Eval(temp, weightsPath: weightsPath);

        AssertFailedCleanly(result, outPath, "rnn.bias_ih_l0");
    }

    [Fact]
    public void Wrong_shaped_input_is_a_one_line_error_and_nothing_is_written()
    {
        using var temp = new TempFolder();
        var inputs = SafeTensors.Read(Path.Combine(GoldenCase(LstmCase), "inputs.safetensors"));
        int[] shape = inputs["x"].Shape;     // [T, B, I]
        inputs["x"] = TensorValue.FromFloat(new float[shape[0] * shape[1] * (shape[2] + 1)], shape[0], shape[1], shape[2] + 1);
        string inputsPath = temp.File("inputs.safetensors");
        SafeTensors.Write(inputsPath, inputs);

        var (result, outPath) = Eval(temp, inputsPath: inputsPath);

        AssertFailedCleanly(result, outPath, "x");
    }

    [Fact]
    public void Missing_input_x_is_a_one_line_error_and_nothing_is_written()
    {
        using var temp = new TempFolder();
        var inputs = SafeTensors.Read(Path.Combine(GoldenCase(LstmCase), "inputs.safetensors"));
        inputs.Remove("x");
        string inputsPath = temp.File("inputs.safetensors");
        SafeTensors.Write(inputsPath, inputs);

        var (result, outPath) = Eval(temp, inputsPath: inputsPath);

        AssertFailedCleanly(result, outPath, "'x'");
    }

    [Fact]
    public void Missing_weights_file_is_a_one_line_error_and_nothing_is_written()
    {
        using var temp = new TempFolder();

        var (result, outPath) = Eval(temp, weightsPath: temp.File("absent.safetensors"));

        AssertFailedCleanly(result, outPath, "absent.safetensors");
    }

    [Fact]
    public void Corrupt_inputs_file_is_a_one_line_error_and_nothing_is_written()
    {
        using var temp = new TempFolder();
        string inputsPath = temp.Write("inputs.safetensors", "this is not a safetensors file");

        var (result, outPath) = Eval(temp, inputsPath: inputsPath);

        AssertFailedCleanly(result, outPath, "inputs.safetensors");
    }

    [Fact]
    public void Output_folder_that_does_not_exist_is_a_one_line_error()
    {
        using var temp = new TempFolder();
        string outPath = Path.Combine(temp.Path, "absent", "out.safetensors");

        var result = Run("eval", Path.Combine(GoldenCase(LstmCase), "spec.yaml"),
                         "--weights", Path.Combine(GoldenCase(LstmCase), "weights.safetensors"),
                         "--inputs", Path.Combine(GoldenCase(LstmCase), "inputs.safetensors"),
                         "--out", outPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: cannot write '{outPath}': the folder '{Path.GetDirectoryName(outPath)}' does not exist", Assert.Single(result.ErrorLines));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Failed_eval_leaves_an_existing_output_file_untouched()
    {
        using var temp = new TempFolder();
        string outPath = temp.Write("out.safetensors", "previous results");

        var result = Run("eval", Path.Combine(GoldenCase(LstmCase), "spec.yaml"),
                         "--weights", temp.File("absent.safetensors"),
                         "--inputs", Path.Combine(GoldenCase(LstmCase), "inputs.safetensors"),
                         "--out", outPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("previous results", File.ReadAllText(outPath));
    }

    [Fact]
    public void Spec_with_errors_prints_its_diagnostics_and_writes_nothing()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("spec.yaml", "model:\n  inputs:\n    x: { size: 4 }\n  layers:\n    - rnn: { cell: lstm, hidden: 4, layers: 2, bidirectinal: true }\n");

        var (result, outPath) = Eval(temp, specPath: spec);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"{spec}(5,48): error RG0005: unknown key 'bidirectinal' in rnn layer; did you mean 'bidirectional'?\n", result.Error);
        Assert.Empty(result.Out);
        Assert.False(File.Exists(outPath));
    }

    [Fact]
    public void Compare_on_the_char_lstm_example_data_reports_every_tensor_matching()
    {
        using var temp = new TempFolder();
        string data = Path.Combine(RnnGraph.TestSupport.RepoPaths.Examples, "data");

        var result = Run("eval", Example("char-lstm.yaml"),
                         "--weights", Path.Combine(data, "char-lstm.weights.safetensors"),
                         "--inputs", Path.Combine(data, "char-lstm.inputs.safetensors"),
                         "--out", temp.File("out.safetensors"),
                         "--compare", Path.Combine(data, "char-lstm.expected.safetensors"));

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Matches(@"\nall \d+ tensors match\n$", result.Out);
    }

    [Fact]
    public void Compare_with_different_reference_values_exits_1()
    {
        using var temp = new TempFolder();
        var reference = SafeTensors.Read(Path.Combine(GoldenCase(LstmCase), "expected.safetensors"));
        var y = reference["y"].ToDoubleArray();
        y[0] += 0.5;
        reference["y"] = TensorValue.FromDouble(y, reference["y"].Shape);
        string referencePath = temp.File("reference.safetensors");
        SafeTensors.Write(referencePath, reference);

        var (result, _) = Eval(temp, extra: ["--compare", referencePath]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("MISMATCH", result.Out);
        Assert.Contains($"1 of {reference.Count} tensors differ", result.Out);
    }

    [Fact]
    public void Missing_compare_reference_is_a_one_line_error_and_nothing_is_written()
    {
        using var temp = new TempFolder();

        var (result, outPath) = Eval(temp, extra: ["--compare", temp.File("absent-reference.safetensors")]);

        AssertFailedCleanly(result, outPath, "absent-reference.safetensors");
    }

    /// <summary>Runs eval on the LSTM golden case with any of its files replaced.</summary>
    private static (CliResult Result, string OutPath) Eval(TempFolder temp, string? specPath = null, string? weightsPath = null,
                                                          string? inputsPath = null, string[]? extra = null)
    {
        string golden = GoldenCase(LstmCase);
        string outPath = temp.File("out.safetensors");
        string[] args =
        [
            "eval", specPath ?? Path.Combine(golden, "spec.yaml"),
            "--weights", weightsPath ?? Path.Combine(golden, "weights.safetensors"),
            "--inputs", inputsPath ?? Path.Combine(golden, "inputs.safetensors"),
            "--out", outPath,
            .. extra ?? [],
        ];
        return (Run(args), outPath);
    }

    private static void AssertFailedCleanly(CliResult result, string outPath, string mentioned)
    {
        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(mentioned, line);
        Assert.Empty(result.Out);
        Assert.False(File.Exists(outPath), "a failed eval must not write its output file");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(outPath)!, "*out.safetensors*"));
    }

    /// <summary>The parity tolerance of DESIGN §6: <c>|got - ref| &lt;= 1e-5 + 1e-4 * max|ref|</c> per tensor.</summary>
    [Fact]
    public void An_encoder_decoder_matches_pytorchs_logits_and_loss_gradients()
    {
        // tests/golden/seq2seq/gru_bi_concat_additive: a bidirectional GRU encoder, concat bridge, additive attention (see its manifest entry).
        const string spec = """
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 10 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4, bidirectional: true }
              bridge: concat
              attention: { type: additive, units: 5 }
              decoder:
                - embed: { dim: 4 }
                - rnn: { cell: gru, hidden: 8 }
                - dense: { units: 8 }
              max_output_length: 10
            """;
        using var temp = new TempFolder();
        var golden = SafeTensors.Read(Path.Combine(RepoPaths.Golden, "seq2seq", "gru_bi_concat_additive.safetensors"));
        var weights = golden.Where(p => p.Key.StartsWith("encoder.", StringComparison.Ordinal) || p.Key.StartsWith("decoder.", StringComparison.Ordinal)
                                        || p.Key.StartsWith("attention.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value);
        var logits = golden["logits"];                                          // [T, B, V]
        int T = logits.Shape[0], B = logits.Shape[1], V = logits.Shape[2];
        // dy = d(loss)/d(logits) of PyTorch's loss, a mean of cross-entropies over the non-pad targets: (softmax - one-hot) / count.
        var target = golden["target"].ToDoubleArray();
        var z = logits.ToDoubleArray();
        var dy = new float[T * B * V];
        int counted = target.Count(t => t != 0);
        for (int row = 0; row < T * B; row++)
        {
            if (target[row] == 0) continue;
            var scores = z.AsSpan(row * V, V).ToArray();
            double max = scores.Max(), sum = scores.Sum(v => Math.Exp(v - max));
            for (int v = 0; v < V; v++) dy[row * V + v] = (float)((Math.Exp(scores[v] - max) / sum - (v == (int)target[row] ? 1 : 0)) / counted);
        }
        var inputs = new Dictionary<string, TensorValue>
        {
            ["src"] = TensorValue.FromInt64(golden["src"].ToDoubleArray().Select(v => (long)v).ToArray(), golden["src"].Shape),
            ["lengths"] = golden["src_len"],
            ["decoder_input"] = TensorValue.FromInt64(golden["dec_in"].ToDoubleArray().Select(v => (long)v).ToArray(), T, B),
            ["dy"] = TensorValue.FromFloat(dy, T, B, V),
        };
        string weightsPath = temp.File("weights.safetensors"), inputsPath = temp.File("inputs.safetensors"), outPath = temp.File("out.safetensors");
        SafeTensors.Write(weightsPath, weights);
        SafeTensors.Write(inputsPath, inputs);

        var result = Run("eval", temp.Write("seq2seq.yaml", spec), "--weights", weightsPath, "--inputs", inputsPath, "--out", outPath);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Empty(result.Error);
        var actual = SafeTensors.Read(outPath);
        Assert.Equal(logits.Shape, actual["y"].Shape);
        AssertClose("y", logits.ToDoubleArray(), actual["y"].ToDoubleArray());
        foreach (var name in weights.Keys)
            AssertClose("grad." + name, golden["grad." + name].ToDoubleArray(), actual["grad." + name].ToDoubleArray());
        Assert.DoesNotContain(actual.Keys, k => k.StartsWith("grad.src", StringComparison.Ordinal) || k.StartsWith("grad.decoder_input", StringComparison.Ordinal));
    }

    private static void AssertClose(string tensor, double[] reference, double[] got)
    {
        double scale = reference.Length == 0 ? 0 : reference.Max(Math.Abs);
        double tolerance = 1e-5 + 1e-4 * scale;
        for (int i = 0; i < reference.Length; i++)
        {
            double error = Math.Abs(got[i] - reference[i]);
            Assert.True(error <= tolerance, $"{tensor}[{i}]: got {got[i]:R}, expected {reference[i]:R} (error {error:E2} > tolerance {tolerance:E2})");
        }
    }
}
