using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// The text a language-model run trains on: one sequence per line, tokenized, encoded with a vocabulary
/// built from the training lines, and split into training and validation sequences (seeded).
/// </summary>
public sealed record LanguageModelData(ITokenizer Tokenizer, Vocabulary Vocabulary, IReadOnlyList<int[]> Train, IReadOnlyList<int[]> Validation, int TokenCount)
{
    public static LanguageModelData Load(RunSettings settings, string specDirectory)
    {
        if (settings.Format != "lines")
            throw new RunException($"data format '{settings.Format}' is not supported by rnngraph run yet; use format: lines");
        var tokenizer = TrainedModel.CreateTokenizer(settings);

        IReadOnlyList<string> lines;
        if (settings.DataText is { } text) lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        else if (settings.DataFile is { } file)
        {
            string path = Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(specDirectory, file));
            if (!File.Exists(path)) throw new RunException($"data file '{file}' does not exist (looked for {path})");
            lines = TextLineReader.Read(path).Select(l => l.Text).Where(l => l.Length > 0).ToList();
        }
        else throw new RunException("the spec has no data: add a data section with file: or text:");
        if (lines.Count == 0) throw new RunException("the data has no non-empty lines");

        var tokenized = lines.Select(l => tokenizer.Tokenize(l)).ToList();
        var (train, validation) = DataSplit.Split(tokenized, settings.Validation, settings.Seed);
        if (train.Length == 0) train = validation;
        var vocabulary = Vocabulary.Build(train.SelectMany(t => t), settings.MinFrequency);
        return new LanguageModelData(tokenizer, vocabulary,
            train.Select(t => vocabulary.Encode(t)).ToList(), validation.Select(t => vocabulary.Encode(t)).ToList(),
            tokenized.Sum(t => t.Count));
    }
}
