using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Runs;

/// <summary>One example of a pairs file: the source and target token ids, their texts and the line it came from.</summary>
public sealed record PairExample(int[] Source, int[] Target, string SourceText, string TargetText, int Line);

/// <summary>
/// Pairs (<c>format: pairs</c>, one <c>source&lt;TAB&gt;target</c> per line): the source tokenized by <c>data.tokenizer</c>, the
/// target by <c>data.target_tokenizer</c>, each side with its own vocabulary built from the training pairs. Held-out pairs come
/// from <c>validation_file</c> or a seeded <c>validation</c> share of the file; test pairs from <c>test_file</c>.
/// </summary>
public sealed record EncoderDecoderData(ITokenizer SourceTokenizer, ITokenizer TargetTokenizer, Vocabulary Source, Vocabulary Target,
    IReadOnlyList<PairExample> Train, IReadOnlyList<PairExample> Validation, IReadOnlyList<PairExample> Test)
{
    /// <summary>The run folder's file of the target vocabulary (the source's is vocab.json as for every run).</summary>
    public const string TargetVocabularyFile = "target-vocab.json";

    public static EncoderDecoderData Load(RunSettings settings, string dataDirectory)
    {
        var sourceTokenizer = TrainedModel.CreateTokenizer(settings);
        var targetTokenizer = CreateTargetTokenizer(settings);
        var (path, lines) = RunData.ReadLines(settings, dataDirectory);
        var all = Read(path, lines, sourceTokenizer, targetTokenizer);
        if (all.Count == 0) throw new RunException($"{path}: the data has no pairs (one 'source<TAB>target' per line)");
        List<Tokenized> train = all, validation = [];
        if (settings.ValidationFile is null)
        {
            var (t, v) = DataSplit.Split(all, settings.Validation, settings.Seed);
            (train, validation) = (t.ToList(), v.ToList());
            if (train.Count == 0) train = validation;
        }
        else
        {
            validation = ReadFile(settings.ValidationFile, dataDirectory, sourceTokenizer, targetTokenizer);
        }
        var test = settings.TestFile is { } testFile ? ReadFile(testFile, dataDirectory, sourceTokenizer, targetTokenizer) : [];
        var source = Vocabulary.Build(train.SelectMany(p => p.Source), settings.MinFrequency);
        var target = Vocabulary.Build(train.SelectMany(p => p.Target), settings.MinFrequency);
        List<PairExample> Encode(List<Tokenized> pairs) =>
            pairs.Select(p => new PairExample(source.Encode(p.Source), target.Encode(p.Target), p.SourceText, p.TargetText, p.Line)).ToList();
        return new EncoderDecoderData(sourceTokenizer, targetTokenizer, source, target, Encode(train), Encode(validation), Encode(test));
    }

    /// <summary>The target side's tokenizer: characters, or whitespace-separated words kept as written (phonemes, subwords).</summary>
    public static ITokenizer CreateTargetTokenizer(RunSettings settings) =>
        settings.TargetTokenizer == "char" ? new CharTokenizer(normalizeNewlines: true) : new WordTokenizer(lowercase: false);

    private sealed record Tokenized(IReadOnlyList<string> Source, IReadOnlyList<string> Target, string SourceText, string TargetText, int Line);

    private static List<Tokenized> ReadFile(string file, string dataDirectory, ITokenizer sourceTokenizer, ITokenizer targetTokenizer)
    {
        string path = Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(dataDirectory, file));
        if (!File.Exists(path)) throw new RunException($"data file '{file}' does not exist (looked for {path})");
        return Read(path, TextLineReader.Read(path), sourceTokenizer, targetTokenizer);
    }

    private static List<Tokenized> Read(string path, IEnumerable<TextLine> lines, ITokenizer sourceTokenizer, ITokenizer targetTokenizer)
    {
        var pairs = new List<Tokenized>();
        foreach (var line in lines)
        {
            int tab = line.Text.IndexOf('\t');
            if (tab < 0)
                throw new DataFileException(path, line.Line, 1, "expected 'source<TAB>target' but the line has no tab; separate the source from the target with one tab");
            string sourceText = line.Text[..tab], targetText = line.Text[(tab + 1)..];
            var source = sourceTokenizer.Tokenize(sourceText);
            var target = targetTokenizer.Tokenize(targetText);
            if (source.Count == 0) throw new DataFileException(path, line.Line, 1, "the source (before the tab) is empty; every pair needs a source to encode");
            if (target.Count == 0) throw new DataFileException(path, line.Line, tab + 2, "the target (after the tab) is empty; every pair needs a target to learn");
            pairs.Add(new Tokenized(source, target, sourceText, targetText, line.Line));
        }
        return pairs;
    }
}
