using System.Globalization;
using System.Text;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Decoding;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// An encoder-decoder trained on pairs (<c>source&lt;TAB&gt;target</c>): the encoder reads the source tokens, the decoder learns
/// to emit the target tokens and &lt;eos&gt;, fed &lt;bos&gt; then the reference (teacher forcing) or, with a ratio below 1, its own
/// previous argmax. Validation reports the per-token loss; the run ends decoding the held-out and test pairs (greedy, and beam
/// search when <c>generation.beam_width</c> is above 1) and reports sequence accuracy and token error rate.
/// </summary>
internal sealed class EncoderDecoderTask : RunTask
{
    /// <summary>Source and target steps are padded up to a multiple of this, so a run compiles a few graphs, not one per length pair.</summary>
    public const int StepQuantum = 4;

    private readonly Batcher _batcher, _ordered;

    private EncoderDecoderTask(Compilation compilation, EncoderDecoderData data, RunSettings settings) : base(compilation)
    {
        Data = data;
        Settings = settings;
        _batcher = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Seed = settings.Seed, BucketSize = settings.BatchSize * 8 });
        _ordered = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Shuffle = false, BucketSize = settings.BatchSize * 8 });
    }

    public EncoderDecoderData Data { get; }
    public RunSettings Settings { get; }

    public static EncoderDecoderTask Create(Compilation probe, RunSettings settings, string dataDirectory)
    {
        if (settings.Format != "pairs")
            throw new RunException($"an encoder-decoder learns to turn a source into a target: set 'data.format: pairs' (one 'source<TAB>target' per line); the spec has 'format: {settings.Format}'");
        var data = EncoderDecoderData.Load(settings, dataDirectory);
        var compilation = Compilation.Create(probe.Source, data.Source.Count, data.Target.Count);
        if (compilation.HasErrors) throw new RunException("the spec does not bind to the data's vocabularies: " + compilation.Diagnostics.First());
        RunTasks.RequireTokenInput(compilation.Model!);
        var parts = compilation.Model!.EncoderDecoder!;
        if (parts.TargetVocab != data.Target.Count)
            throw new RunException($"the decoder scores {parts.TargetVocab} tokens but the target vocabulary has {data.Target.Count}; use 'units: auto'");
        return new EncoderDecoderTask(compilation, data, settings);
    }

    public override LossKind Loss => LossKind.CrossEntropy;

    public override string DataMessage =>
        $"data: {Data.Train.Count} training, {Data.Validation.Count} validation and {Data.Test.Count} test pairs, " +
        $"{Data.Train.Sum(p => (long)p.Source.Length)} source and {Data.Train.Sum(p => (long)p.Target.Length)} target tokens, " +
        $"vocabularies {Data.Source.Count} (source) and {Data.Target.Count} (target)";

    public override int BatchesPerEpoch => (Data.Train.Count + Settings.BatchSize - 1) / Settings.BatchSize;

    public override bool HasValidation => Data.Validation.Count > 0;

    public override IEnumerable<TrainingBatch> TrainBatches(int epoch, Trainer trainer)
    {
        double ratio = Settings.TeacherForcingAt(epoch);
        // The teacher's choices are drawn per epoch from the seed, so a resumed run draws what an uninterrupted one would.
        var random = ratio < 1 ? new Random(unchecked(Settings.Seed * 7_919 + epoch)) : null;
        foreach (var sequences in _batcher.Batches(Data.Train.Select(p => p.Source).ToList(), epoch))
        {
            var batch = ToTraining(sequences, Data.Train);
            if (random is not null) batch = batch with { Teacher = DrawTeacher(batch, ratio, random) };
            yield return batch;
        }
    }

    /// <summary>[T,B]: 1 with probability <paramref name="ratio"/> (the reference token is fed), else 0 (the previous argmax).</summary>
    private static float[] DrawTeacher(TrainingBatch batch, double ratio, Random random)
    {
        var teacher = new float[batch.TargetSteps * batch.Batch];
        for (int i = 0; i < teacher.Length; i++) teacher[i] = random.NextDouble() < ratio ? 1f : 0f;
        return teacher;
    }

    private IEnumerable<(SequenceBatch Sequences, TrainingBatch Batch)> ValidationBatches() =>
        _ordered.Batches(Data.Validation.Select(p => p.Source).ToList()).Select(b => (b, ToTraining(b, Data.Validation)));

    public override ValidationResult Validate(Trainer trainer) => HasValidation
        ? new ValidationResult(MeanLoss(ValidationBatches().Select(p => p.Batch), trainer.Loss).Loss, null)
        : new ValidationResult(null, null);

    /// <summary>
    /// A batch of pairs as the trainer takes it: the sources time-major with their lengths (always masked: the steps are padded
    /// up to <see cref="StepQuantum"/>), the decoder's inputs &lt;bos&gt; y1..yn and targets y1..yn &lt;eos&gt;.
    /// </summary>
    public static TrainingBatch ToTraining(SequenceBatch sequences, IReadOnlyList<PairExample> examples)
    {
        int batch = sequences.Batch;
        var pairs = sequences.Indices.Select(i => examples[i]).ToArray();
        int sourceSteps = RoundUp(pairs.Max(p => p.Source.Length));
        int targetSteps = RoundUp(pairs.Max(p => p.Target.Length) + 1);
        var source = new float[sourceSteps * batch];
        var decoderInputs = new float[targetSteps * batch];
        var targets = new float[targetSteps * batch];
        var lengths = new int[batch];
        var targetLengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            var pair = pairs[b];
            lengths[b] = pair.Source.Length;
            for (int j = 0; j < pair.Source.Length; j++) source[j * batch + b] = pair.Source[j];
            targetLengths[b] = pair.Target.Length + 1;
            decoderInputs[b] = SpecialTokens.BosId;
            for (int t = 0; t < pair.Target.Length; t++)
            {
                targets[t * batch + b] = pair.Target[t];
                decoderInputs[(t + 1) * batch + b] = pair.Target[t];
            }
            targets[pair.Target.Length * batch + b] = SpecialTokens.EosId;
        }
        return new TrainingBatch(sourceSteps, batch, source, targets, lengths)
        {
            TargetSteps = targetSteps,
            DecoderInputs = decoderInputs,
            TargetLengths = targetLengths,
        };
    }

    private static int RoundUp(int steps) => (steps + StepQuantum - 1) / StepQuantum * StepQuantum;

    public override void WriteFolder(string runFolder)
    {
        Data.Source.Save(Path.Combine(runFolder, "vocab.json"));
        Data.Target.Save(Path.Combine(runFolder, EncoderDecoderData.TargetVocabularyFile));
        if (Data.Validation.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(runFolder, "validation.tsv"), string.Concat(Data.Validation.Select(p => p.SourceText + "\t" + p.TargetText + "\n")));
    }

    /// <summary>The options every decoding of this model uses: from &lt;bos&gt; until &lt;eos&gt;, at most <c>max_output_length</c> steps.</summary>
    public static DecodingOptions DecodingOptions(Compilation compilation) =>
        new(SpecialTokens.BosId, SpecialTokens.EosId, compilation.Model!.EncoderDecoder!.MaxOutputLength);

    /// <summary>The decoding graphs of a model with its weights, never emitting <see cref="Banned"/> tokens.</summary>
    public static EncoderDecoderSteps Steps(Compilation compilation, ParameterSet parameters) => new(compilation, parameters, Banned.ToArray());

    /// <summary>The tokens decoding never emits: padding, &lt;unk&gt; and &lt;bos&gt;.</summary>
    public static readonly IReadOnlyList<int> Banned = [SpecialTokens.PadId, SpecialTokens.UnkId, SpecialTokens.BosId];

    /// <summary>The beam search the settings ask for, or null to decode greedily.</summary>
    public static BeamSearchOptions? Beam(RunSettings settings) => settings.BeamWidth <= 1 ? null
        : new BeamSearchOptions(settings.BeamWidth, 1, settings.LengthPenalty switch
        {
            "average" => LengthPenalty.Average,
            "gnmt" => LengthPenalty.Gnmt(settings.LengthPenaltyAlpha),
            _ => LengthPenalty.None,
        });

    public override RunReport Finish(ParameterSet parameters, Trainer trainer, string runFolder)
    {
        var model = Steps(Compilation, parameters);
        var options = DecodingOptions(Compilation);
        var beam = Beam(Settings);
        var lines = new List<string>();
        var json = new StringBuilder("{");
        var predictions = new StringBuilder("set\tsource\treference\tprediction\n");
        (string Set, string Decoder, IReadOnlyList<PairExample> Pairs, IReadOnlyList<Hypothesis> Outputs)? examples = null;
        var sets = new List<(string Name, IReadOnlyList<PairExample> Pairs)>();
        if (Data.Validation.Count > 0) sets.Add(("validation", Data.Validation));
        if (Data.Test.Count > 0) sets.Add(("test", Data.Test));
        foreach (var (name, pairs) in sets)
        {
            var sources = pairs.Select(p => p.Source).ToList();
            var decoders = new List<(string Name, BeamSearchOptions? Beam)> { ("greedy", null) };
            if (beam is not null) decoders.Add(($"beam {beam.Width}", beam));
            foreach (var (decoder, options2) in decoders)
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                var hypotheses = EncoderDecoderDecoding.Decode(model, sources, options, options2);
                double seconds = started.Elapsed.TotalSeconds;
                var score = new SequenceScore();
                for (int i = 0; i < pairs.Count; i++) score.Add(hypotheses[i].Tokens, pairs[i].Target);
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name} {decoder}: sequence accuracy {score.WordAccuracy:0.00%}, token error rate {score.TokenErrorRate:0.00%} ({pairs.Count} pairs, {seconds:0.0} s)"));
                json.Append(string.Create(CultureInfo.InvariantCulture,
                    $"{(json.Length > 1 ? "," : "")}\n  \"{name} {decoder}\": {{\"sequence_accuracy\": {score.WordAccuracy:R}, \"token_error_rate\": {score.TokenErrorRate:R}, \"pairs\": {pairs.Count}, \"seconds\": {seconds:0.###}}}"));
                if (decoder != decoders[^1].Name) continue;
                examples ??= (name, decoder, pairs, hypotheses);
                for (int i = 0; i < pairs.Count; i++)
                    predictions.Append(name).Append('\t').Append(pairs[i].SourceText).Append('\t').Append(pairs[i].TargetText).Append('\t')
                        .Append(Data.TargetTokenizer.Detokenize(Data.Target.Decode(hypotheses[i].Tokens))).Append('\n');
            }
        }
        json.Append("\n}\n");
        if (sets.Count == 0) return new RunReport("decoding:", ["(no validation or test pairs to decode)"]);
        AtomicFile.WriteAllText(Path.Combine(runFolder, "decoding.json"), json.ToString());
        AtomicFile.WriteAllText(Path.Combine(runFolder, "predictions.tsv"), predictions.ToString());
        return new RunReport("decoding:", lines) { Html = ExamplesHtml(model, options, examples!.Value) };
    }

    /// <summary>How many pairs the report page shows, and how many of them with their attention.</summary>
    private const int ReportExamples = 10, ReportHeatmaps = 3;

    /// <summary>The report page's look at the first held-out pairs: a table of outputs against references, and attention heat maps.</summary>
    private string ExamplesHtml(EncoderDecoderSteps model, DecodingOptions options,
                                (string Set, string Decoder, IReadOnlyList<PairExample> Pairs, IReadOnlyList<Hypothesis> Outputs) examples)
    {
        var (set, decoder, pairs, outputs) = examples;
        int n = Math.Min(ReportExamples, pairs.Count);
        string Output(int i) => Data.TargetTokenizer.Detokenize(Data.Target.Decode(outputs[i].Tokens));
        var html = new StringBuilder(ReportPage.Paragraph($"The first {n} {set} pairs, decoded by {decoder}:"));
        html.Append('\n').Append(ReportPage.Table(["source", "reference", "output", "exact"],
            Enumerable.Range(0, n).Select(i => (IReadOnlyList<string>)[pairs[i].SourceText, pairs[i].TargetText, Output(i),
                outputs[i].Tokens.SequenceEqual(pairs[i].Target) ? "yes" : "no"]), textColumns: 3));
        if (Compilation.Model!.EncoderDecoder!.Attention == "none") return html.ToString();
        var figures = new List<string>();
        for (int i = 0; i < Math.Min(ReportHeatmaps, pairs.Count); i++)
        {
            var h = outputs[i];
            var fed = h.EndedWithEos ? h.Tokens.Append(options.EndToken).ToList() : h.Tokens.ToList();
            var weights = EncoderDecoderDecoding.Attention(model, pairs[i].Source, fed, options);
            var rows = Data.Target.Decode(fed);
            var columns = Data.SourceTokenizer.Tokenize(pairs[i].SourceText);
            figures.Add(ReportPage.Figure($"attention-{i}", AttentionHeatmapSvg.Render(columns, rows, weights, $"attention: {pairs[i].SourceText} → {Output(i)}"),
                $"Which source tokens each output token attended to ({set} pair {i + 1}, {decoder})."));
        }
        return html.Append('\n').Append(ReportPage.Row([.. figures])).ToString();
    }
}
