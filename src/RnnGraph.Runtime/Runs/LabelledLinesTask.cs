using RnnGraph.Compiler;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// What the tasks over labelled lines share (a classifier, a conditional generator): the examples, their batches
/// in a repeatable shuffled order, and the run folder's vocabulary, labels and held-out lines.
/// </summary>
internal abstract class LabelledLinesTask : RunTask
{
    protected LabelledLinesTask(Compilation compilation, ClassificationData data, RunSettings settings, bool wrap) : base(compilation)
    {
        Data = data;
        Settings = settings;
        Batcher = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Seed = settings.Seed, AddBos = wrap, AddEos = wrap, BucketSize = settings.BatchSize * 8 });
        Ordered = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Shuffle = false, AddBos = wrap, AddEos = wrap, BucketSize = settings.BatchSize * 8 });
    }

    protected ClassificationData Data { get; }
    protected RunSettings Settings { get; }
    protected Batcher Batcher { get; }

    /// <summary>Validation batches: in file order, sorted by length within groups (little padding).</summary>
    protected Batcher Ordered { get; }

    /// <summary>What the data message calls the examples and the labels ("examples", "labels").</summary>
    protected abstract (string Examples, string Labels) Nouns { get; }

    /// <summary>A batch of <paramref name="examples"/> as the trainer takes it.</summary>
    protected abstract TrainingBatch ToTraining(SequenceBatch batch, IReadOnlyList<LabelledExample> examples);

    public override string DataMessage =>
        $"data: {Data.Train.Count} training and {Data.Validation.Count} validation {Nouns.Examples}, {Data.TokenCount} tokens, vocabulary {Data.Vocabulary.Count}, " +
        $"{Nouns.Labels} {string.Join(", ", Data.Labels.Select((l, i) => $"{l} ({Data.Train.Count(e => e.Label == i)})"))}";

    public override int BatchesPerEpoch => (Data.Train.Count + Settings.BatchSize - 1) / Settings.BatchSize;

    public override bool HasValidation => Data.Validation.Count > 0;

    public override IEnumerable<TrainingBatch> TrainBatches(int epoch, Trainer trainer) =>
        Batcher.Batches(Data.Train.Select(e => e.Ids).ToList(), epoch).Select(b => ToTraining(b, Data.Train));

    /// <summary>The held-out examples in batches, each with the batch of sequences it came from (for their indices).</summary>
    protected IEnumerable<(SequenceBatch Sequences, TrainingBatch Batch)> ValidationBatches() =>
        Ordered.Batches(Data.Validation.Select(e => e.Ids).ToList()).Select(b => (b, ToTraining(b, Data.Validation)));

    public override void WriteFolder(string runFolder)
    {
        Data.Vocabulary.Save(Path.Combine(runFolder, "vocab.json"));
        AtomicFile.WriteAllText(Path.Combine(runFolder, LabelsFile.FileName), LabelsFile.Format(Data.Labels));
        if (Data.Validation.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(runFolder, "validation.tsv"), string.Concat(Data.Validation.Select(e => e.Line + "\n")));
    }
}
