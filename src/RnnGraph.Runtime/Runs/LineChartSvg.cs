using System.Globalization;
using System.Text;

namespace RnnGraph.Runtime.Runs;

/// <summary>One line of a chart: its name (the legend, and the polyline's class unless <see cref="CssClass"/> is set), color and points.</summary>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points)
{
    public string? CssClass { get; init; }
}

/// <summary>A line chart: title, axis labels and series; y from 0 (linear) or over whole decades (log10).</summary>
public sealed record LineChart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series)
{
    /// <summary>Log10 y axis over whole decades; values at or below 0 and non-finite ones are left out (see <see cref="ClipToBottom"/>).</summary>
    public bool LogY { get; init; }

    /// <summary>With <see cref="LogY"/>: draw values a log axis cannot hold (zero, negative, non-finite) at the bottom edge, and count them in the note.</summary>
    public bool ClipToBottom { get; init; }

    /// <summary>A small line of text at the bottom right (what the values are a mean of, ...).</summary>
    public string? Note { get; init; }

    public int Width { get; init; } = 640;
    public int Height { get; init; } = 400;

    /// <summary>Format y ticks as percentages (values are fractions).</summary>
    public bool Percent { get; init; }

    /// <summary>Shown in the middle of the plot when no series has a point.</summary>
    public string EmptyText { get; init; } = "no finished epochs yet";
}

/// <summary>
/// Small self-contained SVG line charts (axes, ticks, grid, legend, title) written by the project: the loss curve of a
/// run, the metric and learning-rate curves of its report. The output depends only on the data: invariant culture,
/// fixed decimals, so identical inputs give identical files.
/// </summary>
public static class LineChartSvg
{
    private const double Left = 80, Right = 24, Top = 48, Bottom = 64;
    private const int MarkerLimit = 40;

    /// <summary>The colors series take in order.</summary>
    public static readonly IReadOnlyList<string> Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string Render(LineChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        bool Drawable(double y) => double.IsFinite(y) && (!chart.LogY || y > 0);
        bool keepAll = chart.LogY && chart.ClipToBottom;
        var series = chart.Series
            .Select(s => s with { Points = s.Points.Where(p => double.IsFinite(p.X) && (keepAll || Drawable(p.Y))).ToList() })
            .Where(s => s.Points.Count > 0)
            .ToList();
        var all = series.SelectMany(s => s.Points).ToList();
        var values = all.Where(p => Drawable(p.Y)).Select(p => p.Y).ToList();
        int clipped = all.Count - values.Count;
        int width = chart.Width, height = chart.Height;

        double xMin = all.Count > 0 ? all.Min(p => p.X) : 1, xMax = all.Count > 0 ? all.Max(p => p.X) : 1;
        if (xMax <= xMin) { xMin -= 1; xMax += 1; }
        double plotWidth = width - Left - Right, plotHeight = height - Top - Bottom;
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * plotWidth;

        // y: from 0 to a rounded-up maximum, or whole decades around the data on a log scale.
        List<double> yTicks;
        List<double> yLabelled;
        Func<double, double> Y;
        Func<double, string> yText;
        if (chart.LogY)
        {
            int low = values.Count > 0 ? (int)Math.Floor(Math.Log10(values.Min()) + 1e-12) : -1;
            int high = values.Count > 0 ? (int)Math.Ceiling(Math.Log10(values.Max()) - 1e-12) : 0;
            if (high <= low) high = low + 1;
            yTicks = Enumerable.Range(low, high - low + 1).Select(e => Math.Pow(10, e)).ToList();
            // A label on every decade up to ten of them, else on every second, third, ... counted from the top.
            int every = (high - low + 9) / 10;
            yLabelled = yTicks.Where((_, i) => (high - low - i) % every == 0).ToList();
            Y = y => Drawable(y) ? Top + plotHeight - (Math.Clamp(Math.Log10(y), low, high) - low) / (high - low) * plotHeight : Top + plotHeight;
            yText = v => "1e" + Math.Round(Math.Log10(v)).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            double max = values.DefaultIfEmpty(1).Max();
            double step = NiceStep(Math.Max(max, 1e-6) / 5);
            double yMax = Math.Max(step, Math.Ceiling(max / step - 1e-9) * step);
            yTicks = yLabelled = Ticks(0, yMax, step);
            Y = y => Top + plotHeight - Math.Clamp(y, 0, yMax) / yMax * plotHeight;
            int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(step) + 1e-9));
            yText = chart.Percent
                ? v => (v * 100).ToString("F" + Math.Max(0, decimals - 2), CultureInfo.InvariantCulture) + "%"
                : v => v.ToString("F" + decimals, CultureInfo.InvariantCulture);
        }

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append("  <title>").Append(Escape(chart.Title)).Append("</title>\n");
        svg.Append(Invariant($"  <rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n"));
        svg.Append(Invariant($"  <text x=\"{width / 2.0:F2}\" y=\"28.00\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{Escape(chart.Title)}</text>\n"));

        // Grid lines and tick labels.
        svg.Append("  <g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        foreach (double v in yTicks.Skip(1)) svg.Append(Invariant($"    <line x1=\"{Left:F2}\" y1=\"{Y(v):F2}\" x2=\"{Left + plotWidth:F2}\" y2=\"{Y(v):F2}\"/>\n"));
        svg.Append("  </g>\n");
        svg.Append("  <g class=\"y-ticks\" text-anchor=\"end\" fill=\"#333333\">\n");
        foreach (double v in yLabelled) svg.Append(Invariant($"    <text x=\"{Left - 8:F2}\" y=\"{Y(v) + 4:F2}\">{yText(v)}</text>\n"));
        svg.Append("  </g>\n");
        double xStep = Math.Max(1, NiceStep((xMax - xMin) / 8));
        var xTicks = Ticks(Math.Ceiling(xMin / xStep) * xStep, xMax, xStep).Where(x => x >= xMin).ToList();
        double firstX = all.Count > 0 ? all.Min(p => p.X) : xMin;
        if (all.Count > 0 && !xTicks.Contains(firstX) && (xTicks.Count == 0 || xTicks[0] - firstX >= xStep / 2)) xTicks.Insert(0, firstX);
        svg.Append("  <g class=\"x-ticks\" text-anchor=\"middle\" fill=\"#333333\">\n");
        foreach (double x in xTicks) svg.Append(Invariant($"    <text x=\"{X(x):F2}\" y=\"{Top + plotHeight + 20:F2}\">{x:F0}</text>\n"));
        svg.Append("  </g>\n");

        // Axes with tick marks.
        svg.Append("  <g stroke=\"#333333\" stroke-width=\"1\">\n");
        svg.Append(Invariant($"    <line x1=\"{Left:F2}\" y1=\"{Top + plotHeight:F2}\" x2=\"{Left + plotWidth:F2}\" y2=\"{Top + plotHeight:F2}\"/>\n"));
        svg.Append(Invariant($"    <line x1=\"{Left:F2}\" y1=\"{Top:F2}\" x2=\"{Left:F2}\" y2=\"{Top + plotHeight:F2}\"/>\n"));
        foreach (double v in yTicks) svg.Append(Invariant($"    <line x1=\"{Left - 4:F2}\" y1=\"{Y(v):F2}\" x2=\"{Left:F2}\" y2=\"{Y(v):F2}\"/>\n"));
        foreach (double x in xTicks) svg.Append(Invariant($"    <line x1=\"{X(x):F2}\" y1=\"{Top + plotHeight:F2}\" x2=\"{X(x):F2}\" y2=\"{Top + plotHeight + 4:F2}\"/>\n"));
        svg.Append("  </g>\n");
        svg.Append(Invariant($"  <text x=\"{Left + plotWidth / 2:F2}\" y=\"{height - 26:F2}\" text-anchor=\"middle\">{Escape(chart.XLabel)}</text>\n"));
        svg.Append(Invariant($"  <text x=\"20.00\" y=\"{Top + plotHeight / 2:F2}\" text-anchor=\"middle\" transform=\"rotate(-90 20.00 {Top + plotHeight / 2:F2})\">{Escape(chart.YLabel)}</text>\n"));
        string note = chart.Note ?? "";
        if (clipped > 0) note += (note.Length > 0 ? "; " : "") + $"{clipped} zero or non-finite value{(clipped == 1 ? "" : "s")} drawn at the bottom edge";
        if (note.Length > 0)
            svg.Append(Invariant($"  <text class=\"note\" x=\"{width - Right:F2}\" y=\"{height - 8:F2}\" text-anchor=\"end\" fill=\"#666666\" font-size=\"11\">{Escape(note)}</text>\n"));

        // The series, then the legend in the top corner where the lines run lower.
        foreach (var s in series)
        {
            string coordinates = string.Join(" ", s.Points.Select(p => Invariant($"{X(p.X):F2},{Y(p.Y):F2}")));
            svg.Append(Invariant($"  <polyline class=\"{Escape(s.CssClass ?? s.Name)}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"{coordinates}\"/>\n"));
            if (s.Points.Count <= MarkerLimit)
                foreach (var p in s.Points) svg.Append(Invariant($"  <circle cx=\"{X(p.X):F2}\" cy=\"{Y(p.Y):F2}\" r=\"3\" fill=\"{s.Color}\"/>\n"));
        }
        if (series.Count > 0)
        {
            double legendWidth = Math.Max(112, 48 + 7 * series.Max(s => s.Name.Length));
            double Side(Func<double, bool> part) => all.Where(p => part(p.X)).Select(p => Y(p.Y)).DefaultIfEmpty(Top).Average();
            bool leftIsLower = Side(x => x < xMin + (xMax - xMin) / 4) > Side(x => x >= xMin + (xMax - xMin) * 3 / 4);
            double legendX = leftIsLower ? Left + 8 : Left + plotWidth - legendWidth - 8, legendY = Top + 8;
            svg.Append(Invariant($"  <g class=\"legend\">\n    <rect x=\"{legendX:F2}\" y=\"{legendY:F2}\" width=\"{legendWidth:F2}\" height=\"{8 + 18 * series.Count:F2}\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n"));
            for (int i = 0; i < series.Count; i++)
            {
                double y = legendY + 16 + 18 * i;
                svg.Append(Invariant($"    <line x1=\"{legendX + 8:F2}\" y1=\"{y - 4:F2}\" x2=\"{legendX + 32:F2}\" y2=\"{y - 4:F2}\" stroke=\"{series[i].Color}\" stroke-width=\"2\"/>\n"));
                svg.Append(Invariant($"    <text x=\"{legendX + 40:F2}\" y=\"{y:F2}\">{Escape(series[i].Name)}</text>\n"));
            }
            svg.Append("  </g>\n");
        }
        else
        {
            svg.Append(Invariant($"  <text x=\"{Left + plotWidth / 2:F2}\" y=\"{Top + plotHeight / 2:F2}\" text-anchor=\"middle\" fill=\"#888888\">{Escape(chart.EmptyText)}</text>\n"));
        }
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

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? "";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
