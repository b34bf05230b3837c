using System.Globalization;
using System.Text;

namespace RnnGraph.Runtime.Decoding;

/// <summary>
/// An SVG heat map of attention weights: one row per output token (labels on the left), one column per source token
/// (labels on top), each cell shaded from white (weight 0) to dark blue (weight 1) with a tooltip giving the weight,
/// and a scale beside the grid. Like <see cref="Runs.LineChartSvg"/>, the output depends only on the data.
/// </summary>
public static class AttentionHeatmapSvg
{
    private const double Cell = 28, Margin = 16, TitleHeight = 48, CharWidth = 7, ScaleWidth = 14, ScaleSteps = 32;
    private const int LabelLimit = 24;

    // The shade of weight 1; weight 0 is white, and each channel falls linearly in between.
    private const int DarkRed = 0x08, DarkGreen = 0x30, DarkBlue = 0x6b;

    /// <summary>
    /// Renders <paramref name="weights"/>[output, source] (each in [0, 1]) with the given token labels. Throws
    /// <see cref="ArgumentException"/> when the array's shape does not match the labels or a weight is NaN or outside [0, 1].
    /// </summary>
    public static string Render(IReadOnlyList<string> sourceTokens, IReadOnlyList<string> outputTokens, float[,] weights, string title)
    {
        ArgumentNullException.ThrowIfNull(sourceTokens);
        ArgumentNullException.ThrowIfNull(outputTokens);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(title);
        int rows = outputTokens.Count, columns = sourceTokens.Count;
        if (weights.GetLength(0) != rows || weights.GetLength(1) != columns)
            throw new ArgumentException(
                $"the attention weights are [{weights.GetLength(0)}, {weights.GetLength(1)}] but there are {rows} output and {columns} source tokens: pass weights as [outputs, sources]",
                nameof(weights));
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                float w = weights[r, c];
                if (!(w >= 0 && w <= 1))
                    throw new ArgumentException(
                        Invariant($"attention weight [{r}, {c}] (output '{outputTokens[r]}', source '{sourceTokens[c]}') is {w}, outside [0, 1]"),
                        nameof(weights));
            }

        var rowLabels = outputTokens.Select(Visible).ToList();
        var columnLabels = sourceTokens.Select(Visible).ToList();
        double rowLabelWidth = rowLabels.Select(l => Shortened(l).Length).DefaultIfEmpty(0).Max() * CharWidth;
        double columnLabelLength = columnLabels.Select(l => Shortened(l).Length).DefaultIfEmpty(0).Max() * CharWidth;
        // Column labels that fit in a cell stand upright; longer ones are turned to read upwards.
        bool turned = columnLabelLength > Cell - 4;
        double columnLabelHeight = turned ? columnLabelLength + 12 : 20;

        double left = Margin + rowLabelWidth + 8, top = TitleHeight + columnLabelHeight;
        double gridWidth = columns * Cell, gridHeight = rows * Cell;
        double scaleHeight = Math.Max(gridHeight, 2 * Cell);
        double scaleLeft = left + gridWidth + 24;
        double width = Math.Max(scaleLeft + ScaleWidth + 40 + Margin, 2 * Margin + title.Length * 9);
        double height = top + scaleHeight + Margin;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:F0}\" height=\"{height:F0}\" viewBox=\"0 0 {width:F0} {height:F0}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append("  <title>").Append(Escape(Visible(title))).Append("</title>\n");
        svg.Append(Invariant($"  <rect x=\"0\" y=\"0\" width=\"{width:F0}\" height=\"{height:F0}\" fill=\"#ffffff\"/>\n"));
        svg.Append(Invariant($"  <text x=\"{width / 2:F2}\" y=\"28.00\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{Escape(Visible(title))}</text>\n"));

        svg.Append("  <g class=\"output-labels\" text-anchor=\"end\" fill=\"#333333\">\n");
        for (int r = 0; r < rows; r++)
            svg.Append(Invariant($"    <text x=\"{left - 8:F2}\" y=\"{top + (r + 0.5) * Cell + 4:F2}\">{Label(rowLabels[r])}</text>\n"));
        svg.Append("  </g>\n");
        svg.Append(Invariant($"  <g class=\"source-labels\" text-anchor=\"{(turned ? "start" : "middle")}\" fill=\"#333333\">\n"));
        for (int c = 0; c < columns; c++)
        {
            double x = left + (c + 0.5) * Cell;
            if (turned)
            {
                x += 4;
                double y = top - 6;
                svg.Append(Invariant($"    <text x=\"{x:F2}\" y=\"{y:F2}\" transform=\"rotate(-90 {x:F2} {y:F2})\">{Label(columnLabels[c])}</text>\n"));
            }
            else
            {
                svg.Append(Invariant($"    <text x=\"{x:F2}\" y=\"{top - 8:F2}\">{Label(columnLabels[c])}</text>\n"));
            }
        }
        svg.Append("  </g>\n");

        svg.Append("  <g class=\"cells\">\n");
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                float w = weights[r, c];
                string tooltip = Escape(Invariant($"{rowLabels[r]} → {columnLabels[c]}: {w:F3}"));
                svg.Append(Invariant($"    <rect class=\"cell\" x=\"{left + c * Cell:F2}\" y=\"{top + r * Cell:F2}\" width=\"{Cell:F2}\" height=\"{Cell:F2}\" fill=\"{Shade(w)}\"><title>{tooltip}</title></rect>\n"));
            }
        svg.Append("  </g>\n");
        if (rows > 0 && columns > 0)
            svg.Append(Invariant($"  <rect x=\"{left:F2}\" y=\"{top:F2}\" width=\"{gridWidth:F2}\" height=\"{gridHeight:F2}\" fill=\"none\" stroke=\"#cccccc\"/>\n"));
        else
            svg.Append(Invariant($"  <text x=\"{left:F2}\" y=\"{top + Cell:F2}\" fill=\"#888888\">no {(rows == 0 ? "output" : "source")} tokens</text>\n"));

        // The scale: weight 1 at the top, 0 at the bottom, in steps of the same shades as the cells.
        svg.Append("  <g class=\"scale\">\n");
        double step = scaleHeight / ScaleSteps;
        for (int i = 0; i < ScaleSteps; i++)
        {
            double value = 1 - (i + 0.5) / ScaleSteps;
            svg.Append(Invariant($"    <rect x=\"{scaleLeft:F2}\" y=\"{top + i * step:F2}\" width=\"{ScaleWidth:F2}\" height=\"{step + 0.5:F2}\" fill=\"{Shade(value)}\"/>\n"));
        }
        svg.Append(Invariant($"    <rect x=\"{scaleLeft:F2}\" y=\"{top:F2}\" width=\"{ScaleWidth:F2}\" height=\"{scaleHeight:F2}\" fill=\"none\" stroke=\"#cccccc\"/>\n"));
        foreach (double value in new[] { 1.0, 0.5, 0.0 })
        {
            double y = top + (1 - value) * scaleHeight;
            svg.Append(Invariant($"    <line x1=\"{scaleLeft + ScaleWidth:F2}\" y1=\"{y:F2}\" x2=\"{scaleLeft + ScaleWidth + 4:F2}\" y2=\"{y:F2}\" stroke=\"#333333\"/>\n"));
            svg.Append(Invariant($"    <text x=\"{scaleLeft + ScaleWidth + 8:F2}\" y=\"{y + 4:F2}\" fill=\"#333333\">{value:0.0}</text>\n"));
        }
        svg.Append("  </g>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The fill of a cell of weight <paramref name="weight"/> in [0, 1]: white at 0, dark blue at 1.</summary>
    private static string Shade(double weight)
    {
        static int Channel(int dark, double w) => (int)Math.Round(255 - (255 - dark) * w, MidpointRounding.AwayFromZero);
        return Invariant($"#{Channel(DarkRed, weight):x2}{Channel(DarkGreen, weight):x2}{Channel(DarkBlue, weight):x2}");
    }

    /// <summary>A label as drawn: escaped, and cut to <see cref="LabelLimit"/> characters (the tooltip keeps it whole).</summary>
    private static string Label(string text) => Escape(Shortened(text));

    private static string Shortened(string text)
    {
        if (text.Length <= LabelLimit) return text;
        int cut = LabelLimit - 1;
        if (char.IsHighSurrogate(text[cut - 1])) cut--;
        return text[..cut] + "…";
    }

    /// <summary>
    /// Characters XML cannot hold or a reader cannot see (controls, unpaired surrogates) written as \uXXXX, so that a
    /// token such as a tab or a stray byte still shows and the file stays well-formed.
    /// </summary>
    private static string Visible(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            bool pair = char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (pair)
            {
                builder.Append(ch).Append(text[++i]);
            }
            else if (char.IsControl(ch) || char.IsSurrogate(ch) || ch is '\uFFFE' or '\uFFFF')
            {
                builder.Append(Invariant($"\\u{(int)ch:X4}"));
            }
            else
            {
                builder.Append(ch);
            }
        }
        return builder.ToString();
    }

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? "";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
