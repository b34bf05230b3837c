using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// A one-to-many generator conditioned on a label: labelled lines (<c>label&lt;TAB&gt;text</c>) become a one-hot
/// condition over the labels (the model's input, <c>size</c> = number of labels) and a &lt;bos&gt; text &lt;eos&gt;
/// sequence the model learns to emit, fed its own previous token (teacher forcing). Validation reports the per-token
/// loss and perplexity; the run ends with samples for every label.
/// </summary>
internal sealed class ConditionalGenerationTask : LabelledLinesTask
{
    private ConditionalGenerationTask(Compilation compilation, ClassificationData data, RunSettings settings) : base(compilation, data, settings, wrap: true)
    {
    }

    public static ConditionalGenerationTask Create(Compilation probe, RunSettings settings, string dataDirectory)
    {
        if (settings.Format != "labelled")
            throw new RunException($"a one-to-many model learns to generate a text for a label: set 'data.format: labelled' (one 'label<TAB>text' per line); the spec has 'format: {settings.Format}'");
        var data = ClassificationData.Load(settings, dataDirectory, minimumLabels: 1);
        var compilation = RunTasks.Bind(probe, data.Vocabulary.Count);
        var model = compilation.Model!;
        if (model.Input.Size != data.Labels.Count)
            throw new RunException($"input '{model.Input.Name}' has size {model.Input.Size} but the data has {data.Labels.Count} labels ({string.Join(", ", data.Labels)}), each given to the model as a one-hot vector; use 'size: {data.Labels.Count}'");
        if (model.Layers[^1].OutputSize != data.Vocabulary.Count)
            throw new RunException($"the last layer gives {model.Layers[^1].OutputSize} values per step but the vocabulary has {data.Vocabulary.Count} tokens; use 'units: auto'");
        return new ConditionalGenerationTask(compilation, data, settings);
    }

    public override LossKind Loss => LossKind.CrossEntropy;

    protected override (string Examples, string Labels) Nouns => ("sequences", "conditions");

    public override ValidationResult Validate(Trainer trainer) => HasValidation
        ? new ValidationResult(MeanLoss(ValidationBatches().Select(p => p.Batch), trainer.Loss).Loss, null)
        : new ValidationResult(null, null);

    public override RunReport Finish(ParameterSet parameters, Trainer trainer, string runFolder)
    {
        var samples = ConditionalSamples.Draw(new Sampler(Compilation, parameters), Data.Labels, null, Data.Tokenizer, Data.Vocabulary,
            Settings.Samples, Settings.Prefix, Settings.MaxLength, Settings.Temperature, Settings.Seed, topK: null);
        var lines = samples.Select(s => s.Label + "\t" + s.Text).ToList();
        AtomicFile.WriteAllText(Path.Combine(runFolder, "samples.txt"), string.Concat(lines.Select(l => l + "\n")));
        int width = Data.Labels.Max(l => l.Length) + 1;
        var report = samples.Select(s => (s.Label + ":").PadRight(width + 1) + s.Text).ToList();
        if (HasValidation && Data.Labels.Count > 1)
        {
            var (correct, total) = ConditionAccuracy(trainer);
            report.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"condition accuracy {(double)correct / total:0.00%}: for {correct} of {total} held-out texts the model finds its own label the likeliest (chance {1.0 / Data.Labels.Count:0%})"));
        }
        return new RunReport("samples:", report);
    }

    /// <summary>
    /// How well the model uses its condition: each held-out text is scored under every label (the sum of its tokens'
    /// log-probabilities, &lt;eos&gt; included), and counts as right when its own label scores highest.
    /// </summary>
    private (int Correct, int Total) ConditionAccuracy(Trainer trainer)
    {
        int labels = Data.Labels.Count, vocabulary = Model.Layers[^1].OutputSize;
        var scores = new double[Data.Validation.Count, labels];
        var y = Array.Empty<float>();
        foreach (var (sequences, batch) in ValidationBatches())
        {
            if (y.Length < batch.Steps * batch.Batch * vocabulary) y = new float[batch.Steps * batch.Batch * vocabulary];
            for (int label = 0; label < labels; label++)
            {
                var condition = new float[batch.Batch * labels];
                for (int b = 0; b < batch.Batch; b++) condition[b * labels + label] = 1f;
                trainer.Loss(batch with { Condition = condition }, y);
                for (int b = 0; b < batch.Batch; b++)
                {
                    double total = 0;
                    for (int t = 0; t < batch.Lengths![b]; t++)
                    {
                        var p = NextTokenDistribution.From(Model, y.AsSpan((t * batch.Batch + b) * vocabulary, vocabulary));
                        total += Math.Log(Math.Max(p[(int)batch.Targets[t * batch.Batch + b]], double.Epsilon));
                    }
                    scores[sequences.Indices[b], label] = total;
                }
            }
        }
        int correct = 0;
        for (int i = 0; i < Data.Validation.Count; i++)
        {
            int best = 0;
            for (int label = 1; label < labels; label++) if (scores[i, label] > scores[i, best]) best = label;
            if (best == Data.Validation[i].Label) correct++;
        }
        return (correct, Data.Validation.Count);
    }

    /// <summary>Next-token batches as for a language model, each sequence with its label's one-hot condition.</summary>
    protected override TrainingBatch ToTraining(SequenceBatch batch, IReadOnlyList<LabelledExample> examples)
    {
        int labels = Data.Labels.Count;
        var condition = new float[batch.Batch * labels];
        for (int b = 0; b < batch.Batch; b++) condition[b * labels + examples[batch.Indices[b]].Label] = 1f;
        return LanguageModelTask.NextTokenBatch(batch) with { Condition = condition };
    }
}

/// <summary>Samples from a one-to-many model for each label, the label given as a one-hot condition.</summary>
public static class ConditionalSamples
{
    /// <summary>
    /// <paramref name="count"/> samples for each label (or only for <paramref name="onlyLabel"/>), in label order, drawn one
    /// after another from one generator seeded with <paramref name="seed"/>.
    /// </summary>
    public static List<(string Label, string Text)> Draw(Sampler sampler, IReadOnlyList<string> labels, string? onlyLabel, ITokenizer tokenizer,
        Vocabulary vocabulary, int count, string prefix, int maxLength, double temperature, int seed, int? topK)
    {
        var random = new Random(seed);
        var prefixIds = vocabulary.Encode(tokenizer.Tokenize(prefix));
        var result = new List<(string, string)>();
        for (int label = 0; label < labels.Count; label++)
        {
            if (onlyLabel is not null && labels[label] != onlyLabel) continue;
            var condition = new float[labels.Count];
            condition[label] = 1f;
            for (int i = 0; i < count; i++)
            {
                var ids = sampler.SampleConditioned(condition, maxLength, temperature, random, topK, prefixIds);
                result.Add((labels[label], tokenizer.Detokenize(vocabulary.Decode(ids))));
            }
        }
        return result;
    }
}
