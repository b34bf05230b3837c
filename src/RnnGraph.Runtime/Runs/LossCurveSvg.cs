using System.Globalization;
using System.Text;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// loss.svg of a run: the training and validation loss per epoch as a small self-contained SVG line chart
/// (axes, ticks, labels, legend, title). The output depends only on the metrics: invariant culture, fixed decimals.
/// </summary>
public static class LossCurveSvg
{
    public const string FileName = "loss.svg";

    private const int Width = 640, Height = 400;
    private const double Left = 72, Right = 24, Top = 48, Bottom = 56;
    private const string TrainColor = "#1f77b4", ValidationColor = "#ff7f0e";
    private const int MarkerLimit = 40;

    /// <summary>Writes the chart to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IReadOnlyList<EpochMetrics> metrics) => AtomicFile.WriteAllText(path, Render(metrics));

    /// <summary>The chart as SVG text.</summary>
    public static string Render(IReadOnlyList<EpochMetrics> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var train = metrics.Where(m => double.IsFinite(m.TrainLoss)).Select(m => (m.Epoch, Loss: m.TrainLoss)).ToList();
        var validation = metrics.Where(m => m.ValidationLoss is { } v && double.IsFinite(v)).Select(m => (m.Epoch, Loss: m.ValidationLoss!.Value)).ToList();

        // Epochs on x (integers), loss on y from 0 to a rounded-up maximum.
        int firstEpoch = metrics.Count > 0 ? metrics.Min(m => m.Epoch) : 1;
        int lastEpoch = metrics.Count > 0 ? metrics.Max(m => m.Epoch) : 1;
        double xMin = firstEpoch, xMax = lastEpoch;
        if (xMax <= xMin) { xMin -= 1; xMax += 1; }
        double maxLoss = train.Concat(validation).Select(p => p.Loss).DefaultIfEmpty(1).Max();
        double yStep = NiceStep(Math.Max(maxLoss, 1e-6) / 5);
        double yMax = Math.Max(yStep, Math.Ceiling(maxLoss / yStep - 1e-9) * yStep);
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(double epoch) => Left + (epoch - xMin) / (xMax - xMin) * plotWidth;
        double Y(double loss) => Top + plotHeight - Math.Clamp(loss, 0, yMax) / yMax * plotHeight;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append("  <title>Loss per epoch</title>\n");
        svg.Append(Invariant($"  <rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>\n"));
        svg.Append(Invariant($"  <text x=\"{Width / 2.0:F2}\" y=\"28.00\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">Loss per epoch</text>\n"));

        // Grid lines and tick labels.
        svg.Append("  <g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        var yTicks = Ticks(0, yMax, yStep);
        foreach (double v in yTicks.Skip(1)) svg.Append(Invariant($"    <line x1=\"{Left:F2}\" y1=\"{Y(v):F2}\" x2=\"{Left + plotWidth:F2}\" y2=\"{Y(v):F2}\"/>\n"));
        svg.Append("  </g>\n");
        int yDecimals = Math.Max(0, (int)-Math.Floor(Math.Log10(yStep) + 1e-9));
        svg.Append("  <g text-anchor=\"end\" fill=\"#333333\">\n");
        foreach (double v in yTicks)
            svg.Append(Invariant($"    <text x=\"{Left - 8:F2}\" y=\"{Y(v) + 4:F2}\">{v.ToString("F" + yDecimals, CultureInfo.InvariantCulture)}</text>\n"));
        svg.Append("  </g>\n");
        double xStep = Math.Max(1, NiceStep((xMax - xMin) / 8));
        var xTicks = Ticks(Math.Ceiling(xMin / xStep) * xStep, xMax, xStep).Where(e => e >= Math.Max(1, xMin)).ToList();
        if (firstEpoch >= 1 && !xTicks.Contains(firstEpoch) && (xTicks.Count == 0 || xTicks[0] - firstEpoch >= xStep / 2)) xTicks.Insert(0, firstEpoch);
        svg.Append("  <g text-anchor=\"middle\" fill=\"#333333\">\n");
        foreach (double e in xTicks)
            svg.Append(Invariant($"    <text x=\"{X(e):F2}\" y=\"{Top + plotHeight + 20:F2}\">{e:F0}</text>\n"));
        svg.Append("  </g>\n");

        // Axes with tick marks.
        svg.Append("  <g stroke=\"#333333\" stroke-width=\"1\">\n");
        svg.Append(Invariant($"    <line x1=\"{Left:F2}\" y1=\"{Top + plotHeight:F2}\" x2=\"{Left + plotWidth:F2}\" y2=\"{Top + plotHeight:F2}\"/>\n"));
        svg.Append(Invariant($"    <line x1=\"{Left:F2}\" y1=\"{Top:F2}\" x2=\"{Left:F2}\" y2=\"{Top + plotHeight:F2}\"/>\n"));
        foreach (double v in yTicks) svg.Append(Invariant($"    <line x1=\"{Left - 4:F2}\" y1=\"{Y(v):F2}\" x2=\"{Left:F2}\" y2=\"{Y(v):F2}\"/>\n"));
        foreach (double e in xTicks) svg.Append(Invariant($"    <line x1=\"{X(e):F2}\" y1=\"{Top + plotHeight:F2}\" x2=\"{X(e):F2}\" y2=\"{Top + plotHeight + 4:F2}\"/>\n"));
        svg.Append("  </g>\n");
        svg.Append(Invariant($"  <text x=\"{Left + plotWidth / 2:F2}\" y=\"{Height - 14:F2}\" text-anchor=\"middle\">epoch</text>\n"));
        svg.Append(Invariant($"  <text x=\"18.00\" y=\"{Top + plotHeight / 2:F2}\" text-anchor=\"middle\" transform=\"rotate(-90 18.00 {Top + plotHeight / 2:F2})\">loss (cross-entropy)</text>\n"));

        // The series, then the legend (top right, inside the plot).
        var series = new List<(string Name, string Color, List<(int Epoch, double Loss)> Points)> { ("train", TrainColor, train) };
        if (validation.Count > 0) series.Add(("validation", ValidationColor, validation));
        foreach (var (name, color, points) in series)
        {
            string coordinates = string.Join(" ", points.Select(p => Invariant($"{X(p.Epoch):F2},{Y(p.Loss):F2}")));
            svg.Append(Invariant($"  <polyline class=\"{name}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"{coordinates}\"/>\n"));
            if (points.Count <= MarkerLimit)
                foreach (var p in points) svg.Append(Invariant($"  <circle cx=\"{X(p.Epoch):F2}\" cy=\"{Y(p.Loss):F2}\" r=\"3\" fill=\"{color}\"/>\n"));
        }
        double legendX = Left + plotWidth - 120, legendY = Top + 8;
        svg.Append(Invariant($"  <g class=\"legend\">\n    <rect x=\"{legendX:F2}\" y=\"{legendY:F2}\" width=\"112.00\" height=\"{8 + 18 * series.Count:F2}\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n"));
        for (int i = 0; i < series.Count; i++)
        {
            double y = legendY + 16 + 18 * i;
            svg.Append(Invariant($"    <line x1=\"{legendX + 8:F2}\" y1=\"{y - 4:F2}\" x2=\"{legendX + 32:F2}\" y2=\"{y - 4:F2}\" stroke=\"{series[i].Color}\" stroke-width=\"2\"/>\n"));
            svg.Append(Invariant($"    <text x=\"{legendX + 40:F2}\" y=\"{y:F2}\">{series[i].Name}</text>\n"));
        }
        svg.Append("  </g>\n");
        if (train.Count == 0 && validation.Count == 0)
            svg.Append(Invariant($"  <text x=\"{Left + plotWidth / 2:F2}\" y=\"{Top + plotHeight / 2:F2}\" text-anchor=\"middle\" fill=\"#888888\">no finished epochs yet</text>\n"));
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    private static List<double> Ticks(double from, double to, double step)
    {
        var ticks = new List<double>();
        for (int i = 0; from + i * step <= to + step * 1e-9; i++) ticks.Add(Math.Round(from + i * step, 10));
        return ticks;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
