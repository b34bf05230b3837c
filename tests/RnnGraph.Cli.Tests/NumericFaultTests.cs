using RnnGraph.Runtime.IO;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary>
/// A run whose loss turns NaN stops with error RG0302 naming the operator, layer, direction and step where the first
/// non-finite value appeared, leaves the last checkpoint as it was, and suggests remedies located in the spec.
/// </summary>
public sealed class NumericFaultTests
{
    // A cell that takes log(x + 2) of its standardized input: finite while every value is above -2 standard deviations.
    private const string Spec = """
        cells:
          logrnn:
            params:
              weight_ih: [hidden, input]
              weight_hh: [hidden, hidden]
              bias_ih: [hidden]
            state: [h]
            equations: |
              h = tanh(weight_ih @ log(x + 2) + weight_hh @ h[t-1] + bias_ih)
            output: h
        model:
          inputs:
            x: { size: 1 }
          layers:
            - rnn: { cell: logrnn, hidden: 4 }
            - dense: { units: 1 }
        data:
          file: series.csv
          format: csv
          window: 8
          validation: 0
        training:
          epochs: 3
          batch_size: 4
          optimizer: sgd
          learning_rate: 0.1
          seed: 1
        """;

    private static readonly double[] Clean = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    // The data after the first epoch: one outlier, 2.83 standard deviations below the mean of the nine rows.
    private static readonly double[] Outlier = [1, 2, 3, 4, 5, -1000, 7, 8, 9];

    private static void WriteSeries(TempFolder temp, double[] values) =>
        temp.Write("series.csv", "v\n" + string.Join("\n", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "\n");

    [Fact]
    public void A_NaN_stops_the_run_at_the_first_operator_that_made_it_and_keeps_the_checkpoint()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("spec.yaml", Spec);
        string folder = temp.File("run");
        WriteSeries(temp, Clean);
        Assert.Equal(0, Run("run", spec, "--out", folder, "--epochs", "1").ExitCode);
        string checkpointPath = Path.Combine(folder, "checkpoint.safetensors");
        byte[] checkpoint = File.ReadAllBytes(checkpointPath);

        WriteSeries(temp, Outlier);
        var result = Run("run", folder, "--resume");

        // Nine rows and windows of 8 make one window (rows 0..7, one batch per epoch), so epoch 2's one step runs on the
        // weights of epoch 1's checkpoint. Where the NaN starts, independently: the forward pass step by step in plain
        // arithmetic from those weights and the standardized data.
        int firstNaN = FirstNonFiniteStep(SafeTensors.Read(checkpointPath), Standardized(Outlier));
        Assert.Equal(5, firstNaN);
        string copy = Path.Combine(folder, "spec.yaml");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "error RG0302: training stopped in epoch 2, batch 1 of 1 (optimizer step 2), before the update: the loss is NaN and the gradients are not finite; " +
            $"the first non-finite value (NaN) comes from 'log' in the forward pass of layer 'rnn' (l0, forward direction) at step t={firstNaN} computing h ({copy}(9,7))\n" +
            $"  {folder} keeps the checkpoint of epoch 1, untouched: after a fix, continue with 'rnngraph run {folder} --resume'\n" +
            "  to fix it: keep the argument of log above zero (log of zero is -Inf, of a negative number NaN), e.g. log(x + c) with c large enough or log(sigmoid(x)); " +
            $"clip the gradients: add 'clip_norm: 1.0' under training: ({copy}(22,1)); lower learning_rate ({copy}(26,18)) from 0.1, e.g. to 0.01\n",
            result.Error);
        Assert.Equal(checkpoint, File.ReadAllBytes(checkpointPath));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Length); // the header and epoch 1

        // The kept checkpoint loads: with the data fixed, the run resumes from it and finishes.
        WriteSeries(temp, Clean);
        var resumed = Run("run", folder, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("resuming " + folder + " after epoch 1", resumed.Out);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Length);
    }

    /// <summary>
    /// Adam's first step moves every weight by the learning rate over its bias correction (1 - 0.9): at 1e38 that is beyond
    /// float32, so a weight whose gradient is zero gets 0 × ∞ = NaN. The first such weight: column 0 of rnn.weight_ih_l0,
    /// the one-hot column of &lt;pad&gt;, a token no training sequence contains.
    /// </summary>
    [Fact]
    public void An_update_that_overflows_stops_the_run_after_it_and_names_the_weight()
    {
        using var temp = new TempFolder();
        string folder = temp.File("run");

        var result = Run("run", Example("hello.yaml"), "--out", folder, "--set", "training.learning_rate=1e38");

        string spec = Example("hello.yaml");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "error RG0302: training stopped in epoch 1, batch 1 of 1 (optimizer step 1), after the update: the loss and gradients are finite, " +
            "but adam's update at learning rate 1E+38 made the weight 'rnn.weight_ih_l0' NaN (element 0)\n" +
            $"  no epoch finished, so {folder} has no checkpoint to resume from\n" +
            $"  to fix it: the learning rate is far too high for the optimizer; lower learning_rate ({spec}(19,18)) from 1E+38, e.g. to 1E+37\n",
            result.Error);
        Assert.False(File.Exists(Path.Combine(folder, "checkpoint.safetensors")));
        Assert.False(File.Exists(Path.Combine(folder, "weights.safetensors")));
    }

    /// <summary>Each column shifted and scaled by the training rows' mean and (population) standard deviation, as docs/spec.md says.</summary>
    private static double[] Standardized(double[] values)
    {
        double mean = values.Average(), std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        return values.Select(v => (v - mean) / std).ToArray();
    }

    /// <summary>h_t = tanh(W_ih log(x_t + 2) + W_hh h_{t-1} + b) over the window's 8 steps: the first step with a value that is not finite.</summary>
    private static int FirstNonFiniteStep(Dictionary<string, TensorValue> weights, double[] x)
    {
        float[] wih = weights["rnn.weight_ih_l0"].ToFloatArray()!, whh = weights["rnn.weight_hh_l0"].ToFloatArray()!, b = weights["rnn.bias_ih_l0"].ToFloatArray()!;
        const int H = 4;
        var h = new double[H];
        for (int t = 0; t < 8; t++)
        {
            double input = Math.Log(x[t] + 2);
            var next = new double[H];
            for (int i = 0; i < H; i++)
            {
                double sum = wih[i] * input + b[i];
                for (int j = 0; j < H; j++) sum += whh[i * H + j] * h[j];
                next[i] = Math.Tanh(sum);
            }
            if (!double.IsFinite(input) || next.Any(v => !double.IsFinite(v))) return t;
            h = next;
        }
        return -1;
    }
}
