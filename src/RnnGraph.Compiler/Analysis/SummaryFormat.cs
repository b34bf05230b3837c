using System.Globalization;

namespace RnnGraph.Compiler.Analysis;

/// <summary>How a <see cref="ModelSummary"/> reads as a table, wherever it is shown (the terminal, a run report).</summary>
public static class SummaryFormat
{
    /// <summary>The column headers; the last three are right-aligned numbers.</summary>
    public static IReadOnlyList<string> Headers(ModelSummary summary) =>
        ["layer", "kind", "output", "params", "FLOPs/step", $"FLOPs/seq (T={summary.Steps})", "activations"];

    /// <summary>A row's cells; a part of a layer (depth 1) is indented by two spaces.</summary>
    public static IReadOnlyList<string> Cells(SummaryRow row) =>
        [
            (row.Depth > 0 ? "  " : "") + row.Name, row.Kind, row.OutputShape, row.Parameters.ToString("N0", CultureInfo.InvariantCulture),
            Count(row.FlopsPerStep), Count(row.FlopsPerSequence), Bytes(row.ActivationBytes),
        ];

    /// <summary>Every row, then the total.</summary>
    public static IEnumerable<IReadOnlyList<string>> Rows(ModelSummary summary) =>
        summary.Rows.Select(Cells).Append(Cells(summary.Total));

    /// <summary>What the numbers count, in a few lines under the table.</summary>
    public static IEnumerable<string> Notes(ModelSummary summary)
    {
        string steps = summary.OneToOne ? $"T = {summary.Steps} (one-to-one: one step per example)"
            : summary.EncoderDecoder ? $"S = T = {summary.Steps} (S source steps, T decoder steps)" : $"T = {summary.Steps}";
        yield return $"{steps}, B = {summary.Batch}, " +
                     $"{ModelSummary.DataType} ({ModelSummary.BytesPerElement} bytes per element).";
        yield return "params: the model's weights. FLOPs: the forward pass for a batch of B, a multiply-add counting 2, each elementwise op 1 per element";
        yield return $"  (softmax {OpCost.SoftmaxPerElement}); FLOPs/step = the graph at T=2 minus T=1, FLOPs/seq = the graph at T.";
        yield return "activations: the outputs of every forward node a training step keeps at T and B (weights excluded, no buffer reuse).";
    }

    /// <summary>1,234 → 1.23 K: three significant digits with a decimal unit.</summary>
    public static string Count(long value) => Scaled(value, 1000, ["", " K", " M", " G", " T"]);

    public static string Bytes(long value) => Scaled(value, 1024, [" B", " KiB", " MiB", " GiB", " TiB"]);

    private static string Scaled(long value, double step, string[] units)
    {
        if (Math.Abs(value) < step) return value.ToString(CultureInfo.InvariantCulture) + units[0];
        double scaled = value;
        int unit = 0;
        while (Math.Abs(scaled) >= step && unit < units.Length - 1)
        {
            scaled /= step;
            unit++;
        }
        string format = Math.Abs(scaled) >= 100 ? "F0" : Math.Abs(scaled) >= 10 ? "F1" : "F2";
        return scaled.ToString(format, CultureInfo.InvariantCulture) + units[unit];
    }
}
