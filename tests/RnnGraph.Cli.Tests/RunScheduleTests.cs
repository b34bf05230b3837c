using System.Text.RegularExpressions;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph run</c> with a learning-rate schedule and with early stopping.</summary>
public sealed partial class RunScheduleTests
{
    private const string Model = """
        model:
          inputs:
            x: { vocab: auto, one_hot: true }
          layers:
            - rnn: { cell: gru, hidden: 32 }
            - dense: { units: auto }

        """;

    private const string Lines = """
        data:
          text: |
            quartz
            jumping
            wizard
            vexed
            frogs
            blimp
            knight
            oxygen
            sphinx
            yacht
            dwarf
            glyph
            crumb
            fjord
          validation: 0.3

        """;

    [Fact]
    public void A_step_schedule_trains_differently_from_a_constant_rate()
    {
        using var temp = new TempFolder();
        const string Training = "training: { epochs: 4, batch_size: 2, learning_rate: 0.01, seed: 3";
        string constant = temp.Write("constant.yaml", Model + Lines + Training + " }\n");
        string step = temp.Write("step.yaml", Model + Lines + Training + ", schedule: step, step_size: 3, gamma: 0.5 }\n");
        string stepOfOne = temp.Write("gamma1.yaml", Model + Lines + Training + ", schedule: step, step_size: 3, gamma: 1 }\n");

        Assert.Equal(0, Run("run", constant, "--out", temp.File("a")).ExitCode);
        Assert.Equal(0, Run("run", step, "--out", temp.File("b")).ExitCode);
        Assert.Equal(0, Run("run", stepOfOne, "--out", temp.File("c")).ExitCode);

        byte[] Weights(string run) => File.ReadAllBytes(Path.Combine(temp.File(run), "weights.safetensors"));
        Assert.NotEqual(Weights("a"), Weights("b"));
        // A decay by 1 is the constant rate, bit for bit: the schedule only changes the rate passed to each step.
        Assert.Equal(Weights("a"), Weights("c"));
    }

    [Fact]
    public void Resuming_continues_the_schedule_at_the_checkpoint_step()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("lm.yaml", Model + Lines + "training: { epochs: 4, batch_size: 2, learning_rate: 0.01, schedule: step, step_size: 3, gamma: 0.5, warmup: 2 }\ngeneration: { samples: 1 }\n");
        Assert.Equal(0, Run("run", spec, "--out", temp.File("whole"), "--epochs", "4").ExitCode);
        Assert.Equal(0, Run("run", spec, "--out", temp.File("interrupted"), "--epochs", "2").ExitCode);

        Assert.Equal(0, Run("run", temp.File("interrupted"), "--resume", "--epochs", "4").ExitCode);

        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.File("whole"), "weights.safetensors")), File.ReadAllBytes(Path.Combine(temp.File("interrupted"), "weights.safetensors")));
    }

    [Fact]
    public void Early_stopping_stops_an_overfitting_run_and_keeps_its_best_epoch()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("lm.yaml", Model + Lines + "training: { epochs: 40, batch_size: 2, learning_rate: 0.05, seed: 1, early_stopping: 2 }\ngeneration: { samples: 1 }\n");
        string folder = temp.File("run");

        var result = Run("run", spec, "--out", folder);

        Assert.Equal(0, result.ExitCode);
        var match = EarlyStop().Match(result.Out);
        Assert.True(match.Success, result.Out);
        int stoppedAt = int.Parse(match.Groups[1].Value), best = int.Parse(match.Groups[3].Value);
        Assert.Equal(best + 2, stoppedAt);
        var metrics = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
        Assert.Equal(stoppedAt + 1, metrics.Length);
        Assert.True(metrics.Length - 1 < 40);
        // weights.safetensors holds the best epoch's weights, the ones best.safetensors kept (with the epoch in its metadata).
        var kept = RnnGraph.Runtime.IO.SafeTensors.Read(Path.Combine(folder, "best.safetensors"), out var metadata);
        var weights = RnnGraph.Runtime.IO.SafeTensors.Read(Path.Combine(folder, "weights.safetensors"));
        Assert.Equal(weights.Keys.Order(StringComparer.Ordinal), kept.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in weights) Assert.Equal(value.ToFloatArray(), kept[name].ToFloatArray());
        Assert.Equal(best.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["epoch"]);
    }

    [Fact]
    public void Early_stopping_without_validation_data_is_refused()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("lm.yaml", Model + "data: { text: hello, validation: 0 }\ntraining: { early_stopping: 3 }\n");

        var result = Run("run", spec, "--out", temp.File("run"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: 'early_stopping' needs a validation loss: set data.validation above 0 (and give enough data to hold some out)", Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(temp.File("run")));
    }

    [GeneratedRegex(@"early stopping after epoch (\d+) \(best validation loss (\d+\.\d+) at epoch (\d+)\)")]
    private static partial Regex EarlyStop();
}
