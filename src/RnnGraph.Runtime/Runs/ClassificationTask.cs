using System.Globalization;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// A many-to-one classifier over labelled lines (<c>label&lt;TAB&gt;text</c>): each text is tokenized (and cut to
/// <c>max_tokens</c>), the model reads it and gives one output per sequence, trained with cross-entropy over K labels
/// (K output units) or, for two labels, binary cross-entropy on one logit (the second label in ordinal order is the
/// positive one). Validation reports the loss and the accuracy; the run ends with the held-out predictions
/// (predictions.tsv) and a confusion matrix.
/// </summary>
internal sealed class ClassificationTask : RunTask
{
    private readonly ClassificationData _data;
    private readonly RunSettings _settings;
    private readonly Batcher _batcher;
    private readonly Batcher _ordered;

    private ClassificationTask(Compilation compilation, ClassificationData data, RunSettings settings, LossKind loss) : base(compilation)
    {
        _data = data;
        _settings = settings;
        Loss = loss;
        _batcher = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Seed = settings.Seed, BucketSize = settings.BatchSize * 8 });
        _ordered = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Shuffle = false, BucketSize = settings.BatchSize * 8 });
    }

    public static ClassificationTask Create(Compilation probe, RunSettings settings, string dataDirectory)
    {
        if (settings.Format != "labelled")
            throw new RunException($"a many-to-one model is trained as a classifier on labelled lines: set 'data.format: labelled' (one 'label<TAB>text' per line); the spec has 'format: {settings.Format}'");
        var data = ClassificationData.Load(settings, dataDirectory);
        var compilation = RunTasks.Bind(probe, data.Vocabulary.Count);
        var model = compilation.Model!;
        RunTasks.RequireTokenInput(model);
        int outputs = model.Layers[^1].OutputSize, labels = data.Labels.Count;
        LossKind loss = outputs == labels ? LossKind.CrossEntropy
            : outputs == 1 && labels == 2 ? LossKind.BinaryCrossEntropy
            : throw new RunException($"the last layer gives {outputs} values but the data has {labels} labels ({string.Join(", ", data.Labels)}); " +
                $"use 'units: {labels}' (cross-entropy){(labels == 2 ? " or 'units: 1' (binary cross-entropy)" : "")}");
        return new ClassificationTask(compilation, data, settings, loss);
    }

    public override LossKind Loss { get; }

    public override bool LossIsPerToken => false;

    /// <summary>Each sequence's loss counts once, however long the sequence.</summary>
    public override int Weight(TrainingBatch batch) => batch.Batch;

    public override string DataMessage =>
        $"data: {_data.Train.Count} training and {_data.Validation.Count} validation examples, {_data.TokenCount} tokens, vocabulary {_data.Vocabulary.Count}, " +
        $"labels {string.Join(", ", _data.Labels.Select((l, i) => $"{l} ({_data.Train.Count(e => e.Label == i)})"))}";

    public override int BatchesPerEpoch => (_data.Train.Count + _settings.BatchSize - 1) / _settings.BatchSize;

    public override bool HasValidation => _data.Validation.Count > 0;

    public override IEnumerable<TrainingBatch> TrainBatches(int epoch, Trainer trainer) =>
        _batcher.Batches(_data.Train.Select(e => e.Ids).ToList(), epoch).Select(b => ToTraining(b, _data.Train));

    public override ValidationResult Validate(Trainer trainer)
    {
        if (!HasValidation) return new ValidationResult(null, null);
        var (loss, predictions) = Predict(trainer, _data.Validation);
        int correct = predictions.Count(p => p.Predicted == _data.Validation[p.Index].Label);
        return new ValidationResult(loss, (double)correct / _data.Validation.Count);
    }

    public override void WriteFolder(string runFolder)
    {
        _data.Vocabulary.Save(Path.Combine(runFolder, "vocab.json"));
        AtomicFile.WriteAllText(Path.Combine(runFolder, LabelsFile.FileName), LabelsFile.Format(_data.Labels));
        if (_data.Validation.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(runFolder, "validation.tsv"), string.Concat(_data.Validation.Select(e => e.Line + "\n")));
    }

    public override RunReport Finish(ParameterSet parameters, Trainer trainer, string runFolder)
    {
        if (!HasValidation) return new RunReport("held-out predictions:", ["(no validation data: data.validation is 0)"]);
        var (_, predictions) = Predict(trainer, _data.Validation);
        var file = new System.Text.StringBuilder("label\tpredicted\tprobability\ttext\n");
        int k = _data.Labels.Count;
        var confusion = new int[k, k];
        foreach (var p in predictions.OrderBy(p => p.Index))
        {
            var example = _data.Validation[p.Index];
            confusion[example.Label, p.Predicted]++;
            file.Append(string.Create(CultureInfo.InvariantCulture,
                $"{_data.Labels[example.Label]}\t{_data.Labels[p.Predicted]}\t{p.Probability:0.0000}\t{example.Text}\n"));
        }
        AtomicFile.WriteAllText(Path.Combine(runFolder, "predictions.tsv"), file.ToString());

        int correct = Enumerable.Range(0, k).Sum(i => confusion[i, i]);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"accuracy {(double)correct / predictions.Count:0.00%} ({correct} of {predictions.Count} held-out examples); predictions.tsv has each one"),
        };
        int width = Math.Max(8, _data.Labels.Max(l => l.Length) + 2);
        lines.Add("true \\ predicted".PadRight(width + 6) + string.Concat(_data.Labels.Select(l => l.PadLeft(width))));
        for (int i = 0; i < k; i++)
            lines.Add(_data.Labels[i].PadRight(width + 6) + string.Concat(Enumerable.Range(0, k).Select(j => confusion[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(width))));
        return new RunReport("held-out predictions:", lines);
    }

    private readonly record struct Prediction(int Index, int Predicted, double Probability);

    /// <summary>The mean loss over <paramref name="examples"/> and each one's most probable label with its probability.</summary>
    private (double Loss, List<Prediction> Predictions) Predict(Trainer trainer, IReadOnlyList<LabelledExample> examples)
    {
        var predictions = new List<Prediction>(examples.Count);
        int outputs = Model.Layers[^1].OutputSize;
        var y = new float[_settings.BatchSize * outputs];
        double total = 0;
        foreach (var sequences in _ordered.Batches(examples.Select(e => e.Ids).ToList()))
        {
            var batch = ToTraining(sequences, examples);
            total += trainer.Loss(batch, y) * batch.Batch;
            for (int b = 0; b < batch.Batch; b++)
            {
                var probabilities = LabelProbabilities.From(y.AsSpan(b * outputs, outputs));
                int best = 0;
                for (int i = 1; i < probabilities.Length; i++) if (probabilities[i] > probabilities[best]) best = i;
                predictions.Add(new Prediction(sequences.Indices[b], best, probabilities[best]));
            }
        }
        double loss = examples.Count == 0 ? double.NaN : total / examples.Count;
        return (loss, predictions);
    }

    private TrainingBatch ToTraining(SequenceBatch batch, IReadOnlyList<LabelledExample> examples)
    {
        var targets = new float[batch.Batch];
        for (int b = 0; b < batch.Batch; b++) targets[b] = examples[batch.Indices[b]].Label;
        var inputs = Array.ConvertAll(batch.Ids, id => (float)id);
        return LengthBuckets.Pad(new TrainingBatch(batch.Steps, batch.Batch, inputs, targets, batch.Lengths), perStepTargets: false);
    }
}
