using System.Globalization;
using System.Text;
using System.Text.Json;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// A run's metrics, one row per epoch, rewritten atomically after each epoch in two forms: metrics.csv (invariant
/// culture, empty fields for values a run does not have) and metrics.jsonl (one JSON object per line, the same
/// fields, absent values as null).
/// </summary>
public static class MetricsFile
{
    public const string FileName = "metrics.csv";
    public const string JsonLinesFileName = "metrics.jsonl";
    public const string Header = "epoch,train_loss,validation_loss,validation_perplexity,validation_accuracy,tokens_per_second,seconds";

    /// <summary>Writes both files into <paramref name="runFolder"/>.</summary>
    public static void Write(string runFolder, IReadOnlyList<EpochMetrics> rows)
    {
        var csv = new StringBuilder(Header).Append('\n');
        var jsonl = new StringBuilder();
        foreach (var m in rows)
        {
            csv.Append(string.Create(CultureInfo.InvariantCulture,
                $"{m.Epoch},{m.TrainLoss:R},{Optional(m.ValidationLoss)},{Optional(m.ValidationPerplexity)},{Optional(m.ValidationAccuracy)},{m.TokensPerSecond:0},{m.Seconds:0.###}\n"));
            var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("epoch", m.Epoch);
                Number(json, "train_loss", m.TrainLoss);
                Number(json, "validation_loss", m.ValidationLoss);
                Number(json, "validation_perplexity", m.ValidationPerplexity);
                Number(json, "validation_accuracy", m.ValidationAccuracy);
                json.WriteNumber("tokens_per_second", Math.Round(m.TokensPerSecond));
                json.WriteNumber("seconds", Math.Round(m.Seconds, 3));
                json.WriteEndObject();
            }
            jsonl.Append(Encoding.UTF8.GetString(buffer.ToArray())).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(runFolder, JsonLinesFileName), jsonl.ToString());
    }

    /// <summary>The rows of a metrics.csv (the current layout, or the one before validation_accuracy was added).</summary>
    public static List<EpochMetrics> Read(string path)
    {
        if (!File.Exists(path)) return [];
        var rows = new List<EpochMetrics>();
        foreach (var line in File.ReadLines(path).Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split(',');
            if (f.Length is not (6 or 7)) throw new RunException($"{path}: malformed row '{line}'");
            bool withAccuracy = f.Length == 7;
            try
            {
                rows.Add(new EpochMetrics(int.Parse(f[0], CultureInfo.InvariantCulture), 0, double.Parse(f[1], CultureInfo.InvariantCulture),
                    Parse(f[2]), double.Parse(f[^2], CultureInfo.InvariantCulture), double.Parse(f[^1], CultureInfo.InvariantCulture))
                {
                    ValidationAccuracy = withAccuracy ? Parse(f[4]) : null,
                    // A per-token loss has a perplexity whenever it has a validation loss.
                    LossIsPerToken = f[2].Length == 0 || f[3].Length > 0,
                });
            }
            catch (FormatException)
            {
                throw new RunException($"{path}: malformed row '{line}'");
            }
        }
        return rows;
    }

    private static double? Parse(string field) => field.Length == 0 ? null : double.Parse(field, CultureInfo.InvariantCulture);

    private static string Optional(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }
}
