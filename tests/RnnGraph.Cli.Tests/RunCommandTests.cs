using System.Globalization;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph run</c> end to end: the hello example trains, its loss falls, it spells hello, and its run folder is complete.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public void Hello_trains_until_it_spells_hello_and_writes_its_run_folder()
    {
        using var temp = new TempFolder();
        string folder = Path.Combine(temp.Path, "hello");

        var result = Run("run", Example("hello.yaml"), "--out", folder);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        var metrics = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
        Assert.Equal("epoch,train_loss,validation_loss,validation_perplexity,validation_accuracy,tokens_per_second,seconds", metrics[0]);
        double first = double.Parse(metrics[1].Split(',')[1], CultureInfo.InvariantCulture);
        double last = double.Parse(metrics[^1].Split(',')[1], CultureInfo.InvariantCulture);
        Assert.Equal(151, metrics.Length);
        Assert.Equal(150, File.ReadAllLines(Path.Combine(folder, "metrics.jsonl")).Length);
        Assert.True(first > 1.5, $"an untrained model should be near ln(8) = 2.08, got {first}");
        Assert.True(last < 0.05, $"the loss should fall close to 0 on one memorised word, got {last}");
        Assert.Equal(["hello", "hello", "hello"], File.ReadAllLines(Path.Combine(folder, "samples.txt")));

        var vocabulary = Vocabulary.Load(Path.Combine(folder, "vocab.json"));
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "l", "e", "h", "o"], vocabulary.Tokens);
        var weights = SafeTensors.Read(Path.Combine(folder, "weights.safetensors"));
        Assert.Equal([16, 8], weights["rnn.weight_ih_l0"].Shape);
        Assert.Equal([8, 16], weights["dense.weight"].Shape);
        Assert.Equal(File.ReadAllText(Example("hello.yaml")), File.ReadAllText(Path.Combine(folder, "spec.yaml")));
    }

    /// <summary>Same spec, seed and thread count: bit-identical weights, for one thread and for two (docs/reliability.md, Determinism).</summary>
    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void The_same_seed_gives_the_same_weights(string threads)
    {
        using var temp = new TempFolder();
        Assert.Equal(0, Run("run", Example("hello.yaml"), "--out", Path.Combine(temp.Path, "a"), "--epochs", "5", "--threads", threads).ExitCode);
        Assert.Equal(0, Run("run", Example("hello.yaml"), "--out", Path.Combine(temp.Path, "b"), "--epochs", "5", "--threads", threads).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "a", "weights.safetensors")), File.ReadAllBytes(Path.Combine(temp.Path, "b", "weights.safetensors")));
    }

    [Fact]
    public void Two_threads_give_the_weights_of_one()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, Run("run", Example("hello.yaml"), "--out", Path.Combine(temp.Path, "a"), "--epochs", "5", "--threads", "1").ExitCode);
        Assert.Equal(0, Run("run", Example("hello.yaml"), "--out", Path.Combine(temp.Path, "b"), "--epochs", "5", "--threads", "2").ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "a", "weights.safetensors")), File.ReadAllBytes(Path.Combine(temp.Path, "b", "weights.safetensors")));
    }

    [Fact]
    public void Resuming_an_interrupted_run_gives_the_weights_of_an_uninterrupted_one()
    {
        using var temp = new TempFolder();
        string whole = Path.Combine(temp.Path, "whole"), interrupted = Path.Combine(temp.Path, "interrupted");
        Assert.Equal(0, Run("run", Example("hello.yaml"), "--out", whole, "--epochs", "6").ExitCode);
        Assert.Equal(0, Run("run", Example("hello.yaml"), "--out", interrupted, "--epochs", "4").ExitCode);

        var resumed = Run("run", interrupted, "--resume", "--epochs", "6");

        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains($"resuming {interrupted} after epoch 4", resumed.Out);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "weights.safetensors")), File.ReadAllBytes(Path.Combine(interrupted, "weights.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "checkpoint.safetensors")), File.ReadAllBytes(Path.Combine(interrupted, "checkpoint.safetensors")));
        Assert.Equal(7, File.ReadAllLines(Path.Combine(interrupted, "metrics.csv")).Length);
    }

    [Fact]
    public void A_missing_data_file_is_a_one_line_error()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("lm.yaml", "model:\n  inputs:\n    x: { vocab: auto }\n  layers:\n    - embed: { dim: 4 }\n    - rnn: { cell: gru, hidden: 4 }\n    - dense: { units: auto }\ndata:\n  file: missing.txt\n");

        var result = Run("run", spec, "--out", Path.Combine(temp.Path, "run"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: data file 'missing.txt' does not exist (looked for {Path.Combine(temp.Path, "missing.txt")})", Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "run")));
    }

    [Fact]
    public void A_model_that_does_not_predict_tokens_is_refused()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("lm.yaml", "model:\n  inputs:\n    x: { vocab: auto }\n  layers:\n    - embed: { dim: 4 }\n    - rnn: { cell: gru, hidden: 4 }\ndata:\n  text: abc\n");

        var result = Run("run", spec, "--out", Path.Combine(temp.Path, "run"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: the last layer gives 4 values per step but the vocabulary has 7 tokens; use 'units: auto'", Assert.Single(result.ErrorLines));
    }
}
