using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Analysis;

/// <summary>
/// The gradient-flow picture: ||dL/dh_t|| against the step t on a log10 axis with decade ticks, one line per recurrent
/// layer and direction, a legend and a title (a <see cref="LineChartSvg"/>). Zero or non-finite norms cannot sit on a log
/// axis: they are drawn at the bottom edge and a note says how many. The output depends only on the result and the title.
/// </summary>
public static class GradientFlowSvg
{
    /// <summary>Writes the picture to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, GradientFlowResult result, string? title = null) => AtomicFile.WriteAllText(path, Render(result, title));

    /// <summary>The picture as SVG text; <paramref name="title"/> defaults to "Gradient flow through time".</summary>
    public static string Render(GradientFlowResult result, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var series = result.Series.Select((s, i) => Line(s, LineChartSvg.Palette[i % LineChartSvg.Palette.Count])).ToList();
        // An encoder-decoder's encoder runs over the source and its decoder over the outputs: two lengths on one axis.
        string axis = result.Series.Select(s => s.Norms.Count).Distinct().Count() > 1 ? "time step t (each layer over its own sequence)" : "time step t";
        return LineChartSvg.Render(new LineChart(title ?? "Gradient flow through time", axis, "||dL/dh_t|| (log scale)", series)
        {
            LogY = true,
            ClipToBottom = true,
            Note = result.Batches > 0 ? $"mean over {result.Batches} batch{(result.Batches == 1 ? "" : "es")}" : null,
            EmptyText = "no recurrent layer",
            Width = 720,
            Height = 440,
        });
    }

    private static ChartSeries Line(GradientFlowSeries series, string color) =>
        new(series.Label, color, series.Norms.Select((norm, t) => ((double)t, norm)).ToList()) { CssClass = "series" };
}
