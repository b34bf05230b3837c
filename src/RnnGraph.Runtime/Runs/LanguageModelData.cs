using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// The text a language-model run trains on, tokenized and encoded with a vocabulary built from the training
/// part. <c>format: lines</c> gives one sequence per line, split into training and validation sequences
/// (seeded); <c>format: stream</c> gives one token stream whose last <c>validation</c> fraction is held out,
/// for truncated BPTT with the state carried between windows.
/// </summary>
public sealed record LanguageModelData(ITokenizer Tokenizer, Vocabulary Vocabulary, IReadOnlyList<int[]> Train, IReadOnlyList<int[]> Validation, int TokenCount)
{
    /// <summary>For <c>format: stream</c>: the training and validation streams (Train/Validation are then empty).</summary>
    public int[]? TrainStream { get; init; }
    public int[]? ValidationStream { get; init; }

    public bool IsStream => TrainStream is not null;

    /// <summary>For <c>format: lines</c>: the held-out lines as written, so a run can record its split.</summary>
    public IReadOnlyList<string> ValidationLines { get; init; } = [];

    public static LanguageModelData Load(RunSettings settings, string specDirectory)
    {
        var tokenizer = TrainedModel.CreateTokenizer(settings);
        string text = RunData.ReadText(settings, specDirectory);
        if (settings.Format == "stream") return Stream(settings, tokenizer, text);

        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new RunException("the data has no non-empty lines");
        var indices = Enumerable.Range(0, lines.Count).ToList();
        var (trainIndices, validationIndices) = DataSplit.Split(indices, settings.Validation, settings.Seed);
        if (trainIndices.Length == 0) trainIndices = validationIndices;
        var tokenized = lines.Select(l => settings.Truncate(tokenizer.Tokenize(l))).ToList();
        var vocabulary = Vocabulary.Build(trainIndices.SelectMany(i => tokenized[i]), settings.MinFrequency);
        return new LanguageModelData(tokenizer, vocabulary,
            trainIndices.Select(i => vocabulary.Encode(tokenized[i])).ToList(), validationIndices.Select(i => vocabulary.Encode(tokenized[i])).ToList(),
            tokenized.Sum(t => t.Count))
        {
            ValidationLines = validationIndices.Select(i => lines[i]).ToList(),
        };
    }

    private static LanguageModelData Stream(RunSettings settings, ITokenizer tokenizer, string text)
    {
        var tokens = tokenizer.Tokenize(text);
        if (tokens.Count < 2) throw new RunException("the data stream has fewer than two tokens");
        int validationCount = (int)Math.Round(tokens.Count * settings.Validation);
        var trainTokens = tokens.Take(tokens.Count - validationCount).ToList();
        var vocabulary = Vocabulary.Build(trainTokens, settings.MinFrequency);
        return new LanguageModelData(tokenizer, vocabulary, [], [], tokens.Count)
        {
            TrainStream = vocabulary.Encode(trainTokens),
            ValidationStream = vocabulary.Encode(tokens.Skip(trainTokens.Count)),
        };
    }
}
