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
internal sealed class ClassificationTask : LabelledLinesTask
{
    private ClassificationTask(Compilation compilation, ClassificationData data, RunSettings settings, LossKind loss) : base(compilation, data, settings, wrap: false)
    {
        Loss = loss;
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

    protected override (string Examples, string Labels) Nouns => ("examples", "labels");

    public override ValidationResult Validate(Trainer trainer)
    {
        if (!HasValidation) return new ValidationResult(null, null);
        var (loss, predictions) = Predict(trainer);
        int correct = predictions.Count(p => p.Predicted == Data.Validation[p.Index].Label);
        return new ValidationResult(loss, (double)correct / Data.Validation.Count);
    }

    public override RunReport Finish(ParameterSet parameters, Trainer trainer, string runFolder)
    {
        if (!HasValidation) return new RunReport("held-out predictions:", ["(no validation data: data.validation is 0)"]);
        var (_, predictions) = Predict(trainer);
        var file = new System.Text.StringBuilder("label\tpredicted\tprobability\ttext\n");
        int k = Data.Labels.Count;
        var confusion = new int[k, k];
        foreach (var p in predictions.OrderBy(p => p.Index))
        {
            var example = Data.Validation[p.Index];
            confusion[example.Label, p.Predicted]++;
            file.Append(string.Create(CultureInfo.InvariantCulture,
                $"{Data.Labels[example.Label]}\t{Data.Labels[p.Predicted]}\t{p.Probability:0.0000}\t{example.Text}\n"));
        }
        AtomicFile.WriteAllText(Path.Combine(runFolder, "predictions.tsv"), file.ToString());

        int correct = Enumerable.Range(0, k).Sum(i => confusion[i, i]);
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"accuracy {(double)correct / predictions.Count:0.00%} ({correct} of {predictions.Count} held-out examples); predictions.tsv has each one"),
        };
        int width = Math.Max(8, Data.Labels.Max(l => l.Length) + 2);
        lines.Add("true \\ predicted".PadRight(width + 6) + string.Concat(Data.Labels.Select(l => l.PadLeft(width))));
        for (int i = 0; i < k; i++)
            lines.Add(Data.Labels[i].PadRight(width + 6) + string.Concat(Enumerable.Range(0, k).Select(j => confusion[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(width))));
        return new RunReport("held-out predictions:", lines);
    }

    private readonly record struct Prediction(int Index, int Predicted, double Probability);

    /// <summary>The mean loss over the held-out examples and each one's most probable label with its probability.</summary>
    private (double Loss, List<Prediction> Predictions) Predict(Trainer trainer)
    {
        var predictions = new List<Prediction>(Data.Validation.Count);
        int outputs = Model.Layers[^1].OutputSize;
        var y = new float[Settings.BatchSize * outputs];
        double total = 0;
        foreach (var (sequences, batch) in ValidationBatches())
        {
            total += trainer.Loss(batch, y) * batch.Batch;
            for (int b = 0; b < batch.Batch; b++)
            {
                var probabilities = LabelProbabilities.From(y.AsSpan(b * outputs, outputs));
                int best = 0;
                for (int i = 1; i < probabilities.Length; i++) if (probabilities[i] > probabilities[best]) best = i;
                predictions.Add(new Prediction(sequences.Indices[b], best, probabilities[best]));
            }
        }
        double loss = Data.Validation.Count == 0 ? double.NaN : total / Data.Validation.Count;
        return (loss, predictions);
    }

    protected override TrainingBatch ToTraining(SequenceBatch batch, IReadOnlyList<LabelledExample> examples)
    {
        var targets = new float[batch.Batch];
        for (int b = 0; b < batch.Batch; b++) targets[b] = examples[batch.Indices[b]].Label;
        var inputs = Array.ConvertAll(batch.Ids, id => (float)id);
        return LengthBuckets.Pad(new TrainingBatch(batch.Steps, batch.Batch, inputs, targets, batch.Lengths), perStepTargets: false);
    }
}
