using System.Text.Json;
using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Runs;

/// <summary>One classification example: its label id, its token ids, its text and the data line it came from.</summary>
internal sealed record LabelledExample(int Label, int[] Ids, string Text, string Line);

/// <summary>
/// Labelled lines (<c>format: labelled</c>) split into training and validation examples (seeded), tokenized, cut to
/// <c>max_tokens</c> and encoded with a vocabulary built from the training part. Label ids follow the ordinal order of
/// the labels in the whole file, so they do not depend on the split.
/// </summary>
internal sealed record ClassificationData(ITokenizer Tokenizer, Vocabulary Vocabulary, IReadOnlyList<string> Labels,
    IReadOnlyList<LabelledExample> Train, IReadOnlyList<LabelledExample> Validation, long TokenCount)
{
    /// <param name="minimumLabels">2 for a classifier; a conditional generator can have a single condition.</param>
    public static ClassificationData Load(RunSettings settings, string dataDirectory, int minimumLabels = 2)
    {
        var tokenizer = TrainedModel.CreateTokenizer(settings);
        var (source, lines) = RunData.ReadLines(settings, dataDirectory);
        var labelled = LabelledLineReader.Parse(source, lines);
        if (labelled.Lines.Count == 0) throw new RunException($"{source}: the data has no labelled lines");
        if (labelled.Labels.Count < minimumLabels)
            throw new RunException($"{source}: every line has the label '{labelled.Labels[0]}'; a classifier needs at least two labels");
        var tokens = labelled.Lines.Select(l => settings.Truncate(tokenizer.Tokenize(l.Text))).ToList();
        var (trainIndices, validationIndices) = DataSplit.Split(Enumerable.Range(0, labelled.Lines.Count).ToList(), settings.Validation, settings.Seed);
        if (trainIndices.Length == 0) trainIndices = validationIndices;
        var vocabulary = Vocabulary.Build(trainIndices.SelectMany(i => tokens[i]), settings.MinFrequency);
        var labelIds = labelled.LabelIds();
        List<LabelledExample> Examples(int[] indices) => indices.Select(i =>
        {
            var line = labelled.Lines[i];
            return new LabelledExample(labelIds[i], vocabulary.Encode(tokens[i]), line.Text, line.Label + "\t" + line.Text);
        }).ToList();
        return new ClassificationData(tokenizer, vocabulary, labelled.Labels, Examples(trainIndices), Examples(validationIndices), tokens.Sum(t => (long)t.Count));
    }
}

/// <summary>labels.json of a classifier's run folder: <c>{"version": 1, "labels": ["ham", "spam"]}</c>, a label's id being its index.</summary>
public static class LabelsFile
{
    public const string FileName = "labels.json";

    public static string Format(IReadOnlyList<string> labels) =>
        JsonSerializer.Serialize(new { version = 1, labels }, new JsonSerializerOptions { WriteIndented = true }) + "\n";

    /// <summary>Reads a labels file; a defect throws a <see cref="RunException"/> naming it.</summary>
    public static IReadOnlyList<string> Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Array
                && labels.EnumerateArray().All(l => l.ValueKind == JsonValueKind.String) && labels.GetArrayLength() >= 2)
                return labels.EnumerateArray().Select(l => l.GetString()!).ToList();
        }
        catch (JsonException e)
        {
            throw new RunException($"{path}: not valid JSON ({e.Message})");
        }
        throw new RunException($"{path}: expected {{\"version\": 1, \"labels\": [at least two strings]}}");
    }
}
