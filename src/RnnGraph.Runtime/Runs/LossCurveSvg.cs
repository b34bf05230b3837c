using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// loss.svg of a run: the training and validation loss per epoch as a small self-contained SVG line chart
/// (<see cref="LineChartSvg"/>). The output depends only on the metrics.
/// </summary>
public static class LossCurveSvg
{
    public const string FileName = "loss.svg";

    /// <summary>Writes the chart to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IReadOnlyList<EpochMetrics> metrics) => AtomicFile.WriteAllText(path, Render(metrics));

    /// <summary>The chart as SVG text.</summary>
    public static string Render(IReadOnlyList<EpochMetrics> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var series = new List<ChartSeries> { new("train", LineChartSvg.Palette[0], metrics.Select(m => ((double)m.Epoch, m.TrainLoss)).ToList()) };
        var validation = metrics.Where(m => m.ValidationLoss is not null).Select(m => ((double)m.Epoch, m.ValidationLoss!.Value)).ToList();
        if (validation.Count > 0) series.Add(new("validation", LineChartSvg.Palette[1], validation));
        bool perToken = metrics.Count == 0 || metrics[^1].LossIsPerToken;
        return LineChartSvg.Render(new LineChart("Loss per epoch", "epoch", perToken ? "loss (cross-entropy per token)" : "loss (mean per example)", series));
    }
}
