using System.Globalization;
using System.Text;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Analysis;

/// <summary>
/// gradflow.csv of a run folder: the gradient flow measured after every epoch, one row per (epoch, series, step):
/// <c>epoch,series,step,norm</c>, the series named like <see cref="GradientFlowSeries.Label"/>. Rewritten atomically.
/// </summary>
public static class GradientFlowFile
{
    public const string FileName = "gradflow.csv";
    public const string Header = "epoch,series,step,norm";

    public static void Write(string path, IReadOnlyList<(int Epoch, GradientFlowResult Flow)> epochs)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var (epoch, flow) in epochs)
            foreach (var series in flow.Series)
                for (int t = 0; t < series.Norms.Count; t++)
                    csv.Append(string.Create(CultureInfo.InvariantCulture, $"{epoch},{series.Label},{t},{series.Norms[t]:R}\n"));
        AtomicFile.WriteAllText(path, csv.ToString());
    }

    /// <summary>The epochs of a file written by <see cref="Write"/> (none when it does not exist), each with its series in file order.</summary>
    public static List<(int Epoch, GradientFlowResult Flow)> Read(string path)
    {
        try
        {
            return ReadRows(path);
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentException)
        {
            throw new Runs.RunException($"{path}: not a gradient-flow file written by rnngraph run ({e.Message})");
        }
    }

    private static List<(int Epoch, GradientFlowResult Flow)> ReadRows(string path)
    {
        var result = new List<(int, GradientFlowResult)>();
        if (!File.Exists(path)) return result;
        var rows = File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(line =>
        {
            var f = line.Split(',');
            if (f.Length != 4 || !int.TryParse(f[0], CultureInfo.InvariantCulture, out int epoch) || !int.TryParse(f[2], CultureInfo.InvariantCulture, out int step)
                || !double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double norm))
                throw new FormatException($"{path}: malformed row '{line}'");
            return (Epoch: epoch, Series: f[1], Step: step, Norm: norm);
        }).ToList();
        foreach (var epoch in rows.GroupBy(r => r.Epoch))
        {
            var series = epoch.GroupBy(r => r.Series).Select(g =>
            {
                // "rnn l0 reverse": the layer name, the stacked index, and the direction.
                var parts = g.Key.Split(' ');
                bool reverse = parts[^1] == "reverse";
                int stack = int.Parse(parts[reverse ? ^2 : ^1][1..], CultureInfo.InvariantCulture);
                string layer = string.Join(' ', parts[..^(reverse ? 2 : 1)]);
                return new GradientFlowSeries(layer, stack, reverse, g.OrderBy(r => r.Step).Select(r => r.Norm).ToArray());
            }).ToList();
            result.Add((epoch.Key, new GradientFlowResult(series.Max(s => s.Norms.Count), 0, series)));
        }
        return result;
    }
}
