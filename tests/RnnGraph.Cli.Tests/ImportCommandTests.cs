using RnnGraph.Runtime.IO;
using RnnGraph.TestSupport;

namespace RnnGraph.Cli.Tests;

/// <summary>
/// <c>rnngraph import</c> on the models torch.onnx.export wrote (tests/golden/onnx): the folder it writes passes
/// <c>check</c> and <c>eval --compare</c> against torch's own outputs; a non-empty folder needs --force; a model
/// that is not an RnnGraph model is a one-line error with nothing written.
/// </summary>
public class ImportCommandTests
{
    private static string TorchCase(string name, string file) => Path.Combine(RepoPaths.Golden, "onnx", name, file);

    [Fact]
    public void An_imported_lstm_stack_checks_and_evaluates_to_torch_outputs()
    {
        using var temp = new TempFolder();
        string folder = temp.File("imported");
        var result = CliRunner.Run("import", TorchCase("torch_lstm_stack", "model.onnx"), "--out", folder);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("imported model.onnx: lstm 4 x2 layers", result.Out);
        Assert.Contains("eval outputs: y = ONNX 'y', h_n = ONNX 'h_n', c_n = ONNX 'c_n'", result.Out);
        string spec = Path.Combine(folder, "spec.yaml"), weights = Path.Combine(folder, "weights.safetensors");
        Assert.Equal(0, CliRunner.Run("check", spec).ExitCode);
        // The case's inputs and outputs already carry the eval names (x; y, h_n, c_n).
        var eval = CliRunner.Run("eval", spec, "--weights", weights, "--inputs", TorchCase("torch_lstm_stack", "inputs.safetensors"),
            "--out", temp.File("out.safetensors"), "--compare", TorchCase("torch_lstm_stack", "expected.safetensors"));
        Assert.True(eval.ExitCode == 0, eval.Out + eval.Error);
        Assert.Contains("all 3 tensors match", eval.Out);
    }

    [Fact]
    public void Token_models_evaluate_with_renamed_inputs()
    {
        using var temp = new TempFolder();
        string folder = temp.File("imported");
        Assert.Equal(0, CliRunner.Run("import", TorchCase("torch_embed_lstm_logsoftmax", "model.onnx"), "--out", folder).ExitCode);
        var inputs = SafeTensors.Read(TorchCase("torch_embed_lstm_logsoftmax", "inputs.safetensors"));
        var expected = SafeTensors.Read(TorchCase("torch_embed_lstm_logsoftmax", "expected.safetensors"));
        SafeTensors.Write(temp.File("in.safetensors"), new Dictionary<string, TensorValue> { ["x"] = inputs["tokens"] });
        SafeTensors.Write(temp.File("ref.safetensors"), new Dictionary<string, TensorValue> { ["y"] = expected["logp"] });
        var eval = CliRunner.Run("eval", Path.Combine(folder, "spec.yaml"), "--weights", Path.Combine(folder, "weights.safetensors"),
            "--inputs", temp.File("in.safetensors"), "--out", temp.File("out.safetensors"), "--compare", temp.File("ref.safetensors"));
        Assert.True(eval.ExitCode == 0, eval.Out + eval.Error);
        Assert.Contains("all 1 tensors match", eval.Out);
    }

    [Fact]
    public void A_non_empty_folder_needs_force()
    {
        using var temp = new TempFolder();
        string keep = temp.Write("notes.txt", "mine");
        var refused = CliRunner.Run("import", TorchCase("torch_bigru", "model.onnx"), "--out", temp.Path);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"error: --out '{temp.Path}' is not empty; choose a new folder, or pass --force to replace spec.yaml and weights.safetensors in it", refused.Error.TrimEnd());
        Assert.False(File.Exists(temp.File("spec.yaml")));

        var forced = CliRunner.Run("import", TorchCase("torch_bigru", "model.onnx"), "--out", temp.Path, "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.Contains("- rnn: { cell: gru, hidden: 4, layers: 2, bidirectional: true }", File.ReadAllText(temp.File("spec.yaml")));
        Assert.Equal(16, SafeTensors.Read(temp.File("weights.safetensors")).Count);
        Assert.Equal("mine", File.ReadAllText(keep));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Fact]
    public void A_model_that_is_not_an_rnngraph_model_is_a_one_line_error()
    {
        using var temp = new TempFolder();
        string folder = temp.File("imported");
        // A single-operator test case: W, R and B are graph inputs, not weights.
        var result = CliRunner.Run("import", Path.Combine(RepoPaths.Golden, "onnx", "lstm_clip", "model.onnx"), "--out", folder);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: model.onnx: the graph has 4 inputs (X, W, R, B); an RnnGraph model reads one sequence (plus, optionally, initial states of its recurrent layers)", result.Error.TrimEnd());
        Assert.False(Directory.Exists(folder));

        var missing = CliRunner.Run("import", temp.File("nope.onnx"), "--out", folder);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: cannot read", missing.Error);
    }
}
