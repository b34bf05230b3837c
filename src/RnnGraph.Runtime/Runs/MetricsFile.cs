using System.Globalization;
using System.Text;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Runs;

/// <summary>metrics.csv of a run: one row per epoch, invariant culture, rewritten atomically after each epoch.</summary>
public static class MetricsFile
{
    public const string FileName = "metrics.csv";
    public const string Header = "epoch,train_loss,validation_loss,validation_perplexity,tokens_per_second,seconds";

    public static void Write(string path, IReadOnlyList<EpochMetrics> rows)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var m in rows)
        {
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"{m.Epoch},{m.TrainLoss:R},{Optional(m.ValidationLoss)},{Optional(m.ValidationPerplexity)},{m.TokensPerSecond:0},{m.Seconds:0.###}\n"));
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    public static List<EpochMetrics> Read(string path)
    {
        if (!File.Exists(path)) return [];
        var rows = new List<EpochMetrics>();
        foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split(',');
            if (f.Length != 6) throw new RunException($"{path}: malformed row '{line}'");
            rows.Add(new EpochMetrics(int.Parse(f[0], CultureInfo.InvariantCulture), 0, double.Parse(f[1], CultureInfo.InvariantCulture),
                f[2].Length == 0 ? null : double.Parse(f[2], CultureInfo.InvariantCulture),
                double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    private static string Optional(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}
