using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.Training;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// A many-to-many language model: next-token prediction over &lt;bos&gt; line &lt;eos&gt; sequences
/// (<c>format: lines</c>, padded and masked), or over windows of one token stream with the state carried from
/// window to window (<c>format: stream</c>, truncated BPTT). Finishes by sampling.
/// </summary>
internal sealed class LanguageModelTask : RunTask
{
    private readonly LanguageModelData _data;
    private readonly RunSettings _settings;
    private readonly Batcher _batcher;
    private readonly Batcher _ordered;
    private readonly StreamBatcher? _trainStream;
    private readonly StreamBatcher? _validationStream;

    private LanguageModelTask(Compilation compilation, LanguageModelData data, RunSettings settings) : base(compilation)
    {
        _data = data;
        _settings = settings;
        _batcher = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Seed = settings.Seed, AddBos = true, AddEos = true, BucketSize = settings.BatchSize * 8 });
        _ordered = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Shuffle = false, AddBos = true, AddEos = true });
        if (data.IsStream)
        {
            _trainStream = new StreamBatcher(data.TrainStream!, settings.BatchSize, settings.Steps);
            if (_trainStream.WindowCount == 0)
                throw new RunException($"the training stream ({data.TrainStream!.Length} tokens) is too short for batch_size {settings.BatchSize} × steps {settings.Steps}");
            if (data.ValidationStream!.Length > settings.BatchSize)
                _validationStream = new StreamBatcher(data.ValidationStream, settings.BatchSize, Math.Min(settings.Steps, data.ValidationStream.Length / settings.BatchSize - 1));
        }
    }

    public static LanguageModelTask Create(Compilation probe, RunSettings settings, string dataDirectory)
    {
        if (settings.Format == "labelled")
            throw new RunException("'format: labelled' data trains a classifier ('topology: many-to-one') or a conditional generator ('topology: one-to-many'); this model is many-to-many: use 'format: lines' or 'stream'");
        var data = LanguageModelData.Load(settings, dataDirectory);
        var compilation = RunTasks.Bind(probe, data.Vocabulary.Count);
        var model = compilation.Model!;
        RunTasks.RequireTokenInput(model);
        if (model.Layers[^1].OutputSize != data.Vocabulary.Count)
            throw new RunException($"the last layer gives {model.Layers[^1].OutputSize} values per step but the vocabulary has {data.Vocabulary.Count} tokens; use 'units: auto'");
        return new LanguageModelTask(compilation, data, settings);
    }

    public override LossKind Loss => LossKind.CrossEntropy;

    public override int LeastSteps => _trainStream is null ? 1 : _settings.Steps;

    public override string DataMessage => _data.IsStream
        ? $"data: a stream of {_data.TokenCount} tokens ({_data.TrainStream!.Length} training, {_data.ValidationStream!.Length} validation), vocabulary {_data.Vocabulary.Count}"
        : $"data: {_data.Train.Count} training and {_data.Validation.Count} validation sequences, {_data.TokenCount} tokens, vocabulary {_data.Vocabulary.Count}";

    public override int BatchesPerEpoch => _trainStream?.WindowCount ?? (_data.Train.Count + _settings.BatchSize - 1) / _settings.BatchSize;

    public override bool HasValidation => _data.IsStream ? _validationStream is not null : _data.Validation.Count > 0;

    public override IEnumerable<TrainingBatch> TrainBatches(int epoch, Trainer trainer) => _trainStream is not null
        ? Windows(_trainStream, Model, trainer)
        : _batcher.Batches(_data.Train, epoch).Select(NextTokenBatch);

    public override ValidationResult Validate(Trainer trainer)
    {
        if (!HasValidation) return new ValidationResult(null, null);
        var batches = _validationStream is not null ? Windows(_validationStream, Model, trainer) : _ordered.Batches(_data.Validation).Select(NextTokenBatch);
        return new ValidationResult(MeanLoss(batches, trainer.Loss).Loss, null);
    }

    public override void WriteFolder(string runFolder)
    {
        _data.Vocabulary.Save(Path.Combine(runFolder, "vocab.json"));
        if (_data.ValidationLines.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(runFolder, "validation.txt"), string.Concat(_data.ValidationLines.Select(l => l + "\n")));
    }

    public override RunReport Finish(ParameterSet parameters, Trainer trainer, string runFolder)
    {
        var sampler = new Sampler(Compilation, parameters);
        var random = new Random(_settings.Seed);
        var prefix = _data.Vocabulary.Encode(_data.Tokenizer.Tokenize(_settings.Prefix));
        var samples = Enumerable.Range(0, _settings.Samples)
            .Select(_ => _data.Tokenizer.Detokenize(_data.Vocabulary.Decode(sampler.Sample(prefix, _settings.MaxLength, _settings.Temperature, random))))
            .ToList();
        AtomicFile.WriteAllText(Path.Combine(runFolder, "samples.txt"), string.Concat(samples.Select(s => s + "\n")));
        return new RunReport("samples:", samples);
    }

    /// <summary>
    /// Truncated BPTT over a stream: consecutive windows of B parallel streams; each window starts from the
    /// states the previous one ended with (read from the trainer when the window is produced, after the
    /// previous step), and the first window of a pass starts from zeros. No gradient crosses a window.
    /// </summary>
    private static IEnumerable<TrainingBatch> Windows(StreamBatcher stream, BoundModel model, Trainer trainer)
    {
        var zeros = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var layer in model.RnnLayers)
            for (int s = 0; s < layer.States.Count; s++)
                zeros[ModelNames.InitialState(model, layer, s)] = new float[layer.NumLayers * layer.Directions * stream.Batch * layer.Hidden];
        foreach (var window in stream.Windows())
        {
            var states = window.StartsStreams ? zeros : trainer.FinalStates.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            yield return new TrainingBatch(window.Steps, window.Batch,
                window.Inputs.Select(v => (float)v).ToArray(), window.Targets.Select(v => (float)v).ToArray(), null, states);
        }
    }

    /// <summary>
    /// Inputs are the padded &lt;bos&gt; line &lt;eos&gt; sequences without their last step, targets the same shifted by one;
    /// the batch is padded further to its length bucket.
    /// </summary>
    internal static TrainingBatch NextTokenBatch(SequenceBatch batch)
    {
        int T = batch.Steps - 1, B = batch.Batch;
        var inputs = new float[T * B];
        var targets = new float[T * B];
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
            {
                inputs[t * B + b] = batch.Ids[t * B + b];
                targets[t * B + b] = batch.Ids[(t + 1) * B + b];
            }
        return LengthBuckets.Pad(new TrainingBatch(T, B, inputs, targets, batch.Lengths.Select(l => l - 1).ToArray()), perStepTargets: true);
    }
}
