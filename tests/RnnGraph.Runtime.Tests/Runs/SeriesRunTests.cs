using System.Globalization;
using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary><c>rnngraph run</c> on a numeric series (<c>format: csv</c>): forecasting the next row with mean squared error.</summary>
public sealed class SeriesRunTests : IDisposable
{
    private readonly string _folder = RunFolders.NewFolder();

    public SeriesRunTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => RunFolders.Delete(_folder);

    /// <summary>Two waves of different periods around offsets far from zero, plus a date column the spec leaves out.</summary>
    private Compilation Spec(string topology, int size = 2, string columns = "[wave, slow]", string training = "")
    {
        var csv = new System.Text.StringBuilder("date,wave,slow\n");
        for (int r = 0; r < 400; r++)
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"d{r},{100 + 10 * Math.Sin(r * 0.3):R},{-5 + 2 * Math.Cos(r * 0.11):R}\n"));
        File.WriteAllText(Path.Combine(_folder, "series.csv"), csv.ToString());
        string path = Path.Combine(_folder, "spec.yaml");
        string text = $$"""
            model:
              topology: {{topology}}
              inputs:
                x: { size: {{size}} }
              layers:
                - rnn: { cell: lstm, hidden: 16 }
                - dense: { units: 2 }
            data:
              file: series.csv
              format: csv
              columns: {{columns}}
              window: 12
              validation: 0.2
            training:
              epochs: 8
              batch_size: 16
              learning_rate: 0.01
              seed: 4
            {{training}}
            """;
        File.WriteAllText(path, text);
        var compilation = Compilation.Create(new SourceText(path, text));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return compilation;
    }

    private RunSummary Train(Compilation spec, string name = "run") => TrainingRun.Run(spec, Path.Combine(_folder, name), new LineRunObserver(_ => { }));

    /// <summary>training.recompute_every reaches the run's trainer: every epoch's losses are those of full BPTT, up to float rounding.</summary>
    [Theory]
    [InlineData("many-to-one")]
    [InlineData("many-to-many")]
    public void Recompute_every_trains_like_full_bptt(string topology)
    {
        Train(Spec(topology), "full");
        var lines = new List<string>();
        TrainingRun.Run(Spec(topology, training: "  recompute_every: 5"), Path.Combine(_folder, "recompute"), new LineRunObserver(lines.Add));
        // The windows of 12 steps are longer than a segment: no whole-window graph for the gradient flow either.
        Assert.Contains("gradient flow not measured: its batches are longer than recompute_every (5 steps)", lines);

        var full = MetricsFile.Read(Path.Combine(_folder, "full", MetricsFile.FileName));
        var recompute = MetricsFile.Read(Path.Combine(_folder, "recompute", MetricsFile.FileName));
        Assert.Equal(full.Count, recompute.Count);
        for (int i = 0; i < full.Count; i++)
        {
            Assert.True(Math.Abs(full[i].TrainLoss - recompute[i].TrainLoss) <= 1e-4 * full[i].TrainLoss, $"epoch {i + 1}: {recompute[i].TrainLoss} vs {full[i].TrainLoss}");
            Assert.True(Math.Abs(full[i].ValidationLoss!.Value - recompute[i].ValidationLoss!.Value) <= 1e-4 * full[i].ValidationLoss!.Value);
        }
    }

    [Theory]
    [InlineData("many-to-one")]
    [InlineData("many-to-many")]
    public void A_forecaster_beats_repeating_the_last_value(string topology)
    {
        var summary = Train(Spec(topology));

        string run = Path.Combine(_folder, "run");
        var metrics = MetricsFile.Read(Path.Combine(run, MetricsFile.FileName));
        Assert.True(metrics[^1].TrainLoss < metrics[0].TrainLoss / 5, $"the MSE should fall: {metrics[0].TrainLoss} -> {metrics[^1].TrainLoss}");
        Assert.False(summary.LossIsPerToken);
        Assert.Null(metrics[^1].ValidationPerplexity);

        // 80 held-out rows give 68 windows of 12 and the row after; the forecasts are in the data's units.
        var rows = File.ReadAllLines(Path.Combine(run, "predictions.csv"));
        Assert.Equal("row,wave,wave_predicted,slow,slow_predicted", rows[0]);
        Assert.Equal(69, rows.Length);
        double wave = 0, persistence = 0;
        for (int i = 1; i < rows.Length; i++)
        {
            var f = rows[i].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            int row = (int)f[0] - 1; // 0-based data row forecast
            Assert.Equal(100 + 10 * Math.Sin(row * 0.3), f[1], 4); // read back through float32 standardization
            wave += (f[2] - f[1]) * (f[2] - f[1]);
            persistence += Math.Pow(100 + 10 * Math.Sin((row - 1) * 0.3) - f[1], 2);
        }
        Assert.True(wave < persistence / 4, $"forecast squared error {wave} against {persistence} for repeating the last value");
        Assert.Contains(summary.Report.Lines, l => l.StartsWith("wave: RMSE ", StringComparison.Ordinal));
        Assert.Contains("\"columns\": [\"wave\", \"slow\"]", File.ReadAllText(Path.Combine(run, "normalization.json")));
    }

    [Fact]
    public void A_one_to_one_model_predicts_each_next_row_from_one_row()
    {
        var summary = Train(Spec("one-to-one"));

        var metrics = MetricsFile.Read(Path.Combine(_folder, "run", MetricsFile.FileName));
        Assert.True(metrics[^1].TrainLoss < metrics[0].TrainLoss / 5, $"the MSE should fall: {metrics[0].TrainLoss} -> {metrics[^1].TrainLoss}");
        // 80 held-out rows: 79 windows of one row and the row after.
        Assert.Equal(80, File.ReadAllLines(Path.Combine(_folder, "run", "predictions.csv")).Length);
        Assert.Contains("over 79 held-out windows, the row after each; predictions.csv has every forecast", summary.Report.Lines);
    }

    [Fact]
    public void The_input_size_must_match_the_columns()
    {
        var e = Assert.Throws<RunException>(() => Train(Spec("many-to-one", size: 3)));
        Assert.Equal("the data has 2 columns (wave, slow) read at every step; declare the input as 'x: { size: 2 }'", e.Message);
    }

    [Fact]
    public void An_unknown_column_is_named_with_the_header()
    {
        var e = Assert.Throws<RnnGraph.Runtime.Data.DataFileException>(() => Train(Spec("many-to-one", columns: "[wave, slw]")));
        Assert.Contains("no column named 'slw' (the header has 'date', 'wave', 'slow')", e.Message);
    }
}
