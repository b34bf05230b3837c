using System.Globalization;
using System.Security;
using System.Text;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Analysis;

/// <summary>
/// The gradient-flow picture: ||dL/dh_t|| against the step t on a log10 axis with decade ticks, one line per recurrent
/// layer and direction, a legend and a title. Zero or non-finite norms cannot sit on a log axis: they are drawn at the
/// bottom edge and a note says how many. The output depends only on the result and the title (invariant culture, fixed decimals).
/// </summary>
public static class GradientFlowSvg
{
    private const int Width = 720, Height = 440;
    private const double Left = 80, Right = 24, Top = 48, Bottom = 64;
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
    private const int MarkerLimit = 40;

    /// <summary>Writes the picture to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, GradientFlowResult result, string? title = null) => AtomicFile.WriteAllText(path, Render(result, title));

    /// <summary>The picture as SVG text; <paramref name="title"/> defaults to "Gradient flow through time".</summary>
    public static string Render(GradientFlowResult result, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        title ??= "Gradient flow through time";
        var values = result.Series.SelectMany(s => s.Norms).Where(v => double.IsFinite(v) && v > 0).ToList();
        int clipped = result.Series.Sum(s => s.Norms.Count(v => !(double.IsFinite(v) && v > 0)));
        // Whole decades around the finite positive norms; one decade when there is nothing to scale.
        int low = values.Count > 0 ? (int)Math.Floor(Math.Log10(values.Min()) + 1e-12) : -1;
        int high = values.Count > 0 ? (int)Math.Ceiling(Math.Log10(values.Max()) - 1e-12) : 0;
        if (high <= low) high = low + 1;
        int lastStep = Math.Max(1, result.Steps - 1);
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(double step) => Left + step / lastStep * plotWidth;
        double Y(double norm) => double.IsFinite(norm) && norm > 0
            ? Top + plotHeight - (Math.Clamp(Math.Log10(norm), low, high) - low) / (high - low) * plotHeight
            : Top + plotHeight;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append($"  <title>{Escape(title)}</title>\n");
        svg.Append(Invariant($"  <rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>\n"));
        svg.Append(Invariant($"  <text x=\"{Width / 2.0:F2}\" y=\"28.00\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{Escape(title)}</text>\n"));

        // Decade grid lines and labels (10^k), then the step ticks.
        svg.Append("  <g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        for (int k = low + 1; k <= high; k++) svg.Append(Invariant($"    <line x1=\"{Left:F2}\" y1=\"{Y(Math.Pow(10, k)):F2}\" x2=\"{Left + plotWidth:F2}\" y2=\"{Y(Math.Pow(10, k)):F2}\"/>\n"));
        svg.Append("  </g>\n");
        // A label on every decade up to ten of them, else on every second, third, ... counted from the top.
        int labelEvery = (high - low + 9) / 10;
        svg.Append("  <g class=\"y-ticks\" text-anchor=\"end\" fill=\"#333333\">\n");
        for (int k = low; k <= high; k++)
            if ((high - k) % labelEvery == 0)
                svg.Append(Invariant($"    <text x=\"{Left - 8:F2}\" y=\"{Y(Math.Pow(10, k)) + 4:F2}\">1e{k}</text>\n"));
        svg.Append("  </g>\n");
        double xStep = Math.Max(1, NiceStep(lastStep / 8.0));
        var xTicks = new List<double>();
        for (int i = 0; i * xStep <= lastStep + 1e-9; i++) xTicks.Add(i * xStep);
        svg.Append("  <g class=\"x-ticks\" text-anchor=\"middle\" fill=\"#333333\">\n");
        foreach (double t in xTicks) svg.Append(Invariant($"    <text x=\"{X(t):F2}\" y=\"{Top + plotHeight + 20:F2}\">{t:F0}</text>\n"));
        svg.Append("  </g>\n");

        svg.Append("  <g stroke=\"#333333\" stroke-width=\"1\">\n");
        svg.Append(Invariant($"    <line x1=\"{Left:F2}\" y1=\"{Top + plotHeight:F2}\" x2=\"{Left + plotWidth:F2}\" y2=\"{Top + plotHeight:F2}\"/>\n"));
        svg.Append(Invariant($"    <line x1=\"{Left:F2}\" y1=\"{Top:F2}\" x2=\"{Left:F2}\" y2=\"{Top + plotHeight:F2}\"/>\n"));
        for (int k = low; k <= high; k++) svg.Append(Invariant($"    <line x1=\"{Left - 4:F2}\" y1=\"{Y(Math.Pow(10, k)):F2}\" x2=\"{Left:F2}\" y2=\"{Y(Math.Pow(10, k)):F2}\"/>\n"));
        foreach (double t in xTicks) svg.Append(Invariant($"    <line x1=\"{X(t):F2}\" y1=\"{Top + plotHeight:F2}\" x2=\"{X(t):F2}\" y2=\"{Top + plotHeight + 4:F2}\"/>\n"));
        svg.Append("  </g>\n");
        svg.Append(Invariant($"  <text x=\"{Left + plotWidth / 2:F2}\" y=\"{Height - 26:F2}\" text-anchor=\"middle\">time step t</text>\n"));
        svg.Append(Invariant($"  <text x=\"20.00\" y=\"{Top + plotHeight / 2:F2}\" text-anchor=\"middle\" transform=\"rotate(-90 20.00 {Top + plotHeight / 2:F2})\">||dL/dh_t|| (log scale)</text>\n"));
        string footer = $"mean over {result.Batches} batch{(result.Batches == 1 ? "" : "es")}";
        if (clipped > 0) footer += $"; {clipped} zero or non-finite value{(clipped == 1 ? "" : "s")} drawn at the bottom edge";
        svg.Append(Invariant($"  <text class=\"note\" x=\"{Width - Right:F2}\" y=\"{Height - 8:F2}\" text-anchor=\"end\" fill=\"#666666\" font-size=\"11\">{Escape(footer)}</text>\n"));

        for (int i = 0; i < result.Series.Count; i++)
        {
            var norms = result.Series[i].Norms;
            string color = Colors[i % Colors.Length];
            string points = string.Join(" ", norms.Select((v, t) => Invariant($"{X(t):F2},{Y(v):F2}")));
            svg.Append(Invariant($"  <polyline class=\"series\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"{points}\"/>\n"));
            if (norms.Count <= MarkerLimit)
                for (int t = 0; t < norms.Count; t++) svg.Append(Invariant($"  <circle cx=\"{X(t):F2}\" cy=\"{Y(norms[t]):F2}\" r=\"2.5\" fill=\"{color}\"/>\n"));
        }
        double legendWidth = 24 + 7 * Math.Max(8, result.Series.Select(s => s.Label.Length).DefaultIfEmpty(0).Max()) + 24;
        // The legend goes to the top corner where the lines run lower (a decaying gradient rises towards the loss).
        double Side(Func<int, bool> part) => result.Series.SelectMany(s => s.Norms.Where((_, t) => part(t)).Select(Y)).DefaultIfEmpty(Top).Average();
        bool leftIsLower = Side(t => t < result.Steps / 4.0) > Side(t => t >= result.Steps * 3 / 4.0);
        double legendX = leftIsLower ? Left + 8 : Left + plotWidth - legendWidth - 8, legendY = Top + 8;
        svg.Append(Invariant($"  <g class=\"legend\">\n    <rect x=\"{legendX:F2}\" y=\"{legendY:F2}\" width=\"{legendWidth:F2}\" height=\"{8 + 18 * result.Series.Count:F2}\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n"));
        for (int i = 0; i < result.Series.Count; i++)
        {
            double y = legendY + 16 + 18 * i;
            svg.Append(Invariant($"    <line x1=\"{legendX + 8:F2}\" y1=\"{y - 4:F2}\" x2=\"{legendX + 32:F2}\" y2=\"{y - 4:F2}\" stroke=\"{Colors[i % Colors.Length]}\" stroke-width=\"2\"/>\n"));
            svg.Append(Invariant($"    <text x=\"{legendX + 40:F2}\" y=\"{y:F2}\">{Escape(result.Series[i].Label)}</text>\n"));
        }
        svg.Append("  </g>\n");
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

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
