using System.Diagnostics;
using System.Globalization;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>What a finished run reports: the last epoch's losses and where its files are.</summary>
public sealed record RunSummary(string Folder, int Epochs, double TrainLoss, double? ValidationLoss, IReadOnlyList<string> Samples, TimeSpan Elapsed);

/// <summary>
/// <c>rnngraph run</c> for the many-to-many language model: reads the data, builds the vocabulary, binds the
/// model to its size, trains with masked cross-entropy (next-token prediction on &lt;bos&gt; line &lt;eos&gt;),
/// reports each epoch, and writes the run folder: weights.safetensors, vocab.json, spec.yaml, metrics.csv,
/// samples.txt, and after every epoch checkpoint.safetensors and loss.svg (each written atomically); <c>resume</c> continues
/// from the checkpoint with the same data order, so the result equals an uninterrupted run.
/// </summary>
public static class LanguageModelRun
{
    /// <param name="resume">Continue the run in <paramref name="runFolder"/> from its checkpoint instead of starting afresh.</param>
    public static RunSummary Run(Compilation probe, string runFolder, IRunObserver observer, int? epochsOverride = null, bool resume = false)
    {
        var document = probe.Document ?? throw new InvalidOperationException("the spec has errors");
        var settings = RunSettings.From(document);
        if (epochsOverride is { } e) settings = settings with { Epochs = e };
        string specDirectory = Path.GetDirectoryName(Path.GetFullPath(probe.Source.Path)) ?? ".";
        if (resume && File.Exists(Path.Combine(runFolder, "data-folder.txt")))
            specDirectory = File.ReadAllText(Path.Combine(runFolder, "data-folder.txt")).Trim();
        var data = LanguageModelData.Load(settings, specDirectory);

        var compilation = Compilation.Create(probe.Source, data.Vocabulary.Count);
        if (compilation.HasErrors) throw new RunException("the spec does not bind to the data's vocabulary: " + compilation.Diagnostics.First());
        var model = compilation.Model!;
        if (model.ManyToOne)
            throw new RunException("rnngraph run trains many-to-many language models in this version; a many-to-one model can be compiled, checked and evaluated but not trained by run yet");
        if (!model.Input.IsTokens)
            throw new RunException($"rnngraph run trains language models: declare the input as token ids, e.g. '{model.Input.Name}: {{ vocab: auto }}'");
        if (model.Layers[^1].OutputSize != data.Vocabulary.Count)
            throw new RunException($"the last layer gives {model.Layers[^1].OutputSize} values per step but the vocabulary has {data.Vocabulary.Count} tokens; use 'units: auto'");
        bool hasValidation = data.IsStream ? data.ValidationStream!.Length > settings.BatchSize : data.Validation.Count > 0;
        if (settings.EarlyStopping is not null && !hasValidation)
            throw new RunException("'early_stopping' needs a validation loss: set data.validation above 0 (and give enough data to hold some out)");

        observer.Message(data.IsStream
            ? $"data: a stream of {data.TokenCount} tokens ({data.TrainStream!.Length} training, {data.ValidationStream!.Length} validation), vocabulary {data.Vocabulary.Count}"
            : $"data: {data.Train.Count} training and {data.Validation.Count} validation sequences, {data.TokenCount} tokens, vocabulary {data.Vocabulary.Count}");
        var parameters = ParameterInitializer.Create(model, settings.Init, settings.Seed);
        var optimizer = Optimizers.Create(settings.Optimizer);
        var metrics = new List<EpochMetrics>();
        int firstEpoch = 1;
        long optimizerStep = 0;
        if (resume)
        {
            var checkpoint = Checkpoint.Read(runFolder, parameters);
            optimizer.LoadState(checkpoint.Optimizer);
            optimizerStep = checkpoint.Optimizer.Step;
            metrics.AddRange(MetricsFile.Read(Path.Combine(runFolder, MetricsFile.FileName)).Take(checkpoint.Epoch));
            firstEpoch = checkpoint.Epoch + 1;
            observer.Message($"resuming {runFolder} after epoch {checkpoint.Epoch}");
        }
        observer.Message($"model: {model.Parameters.Sum(p => p.Dims.Aggregate(1L, (a, b) => a * b))} weights; {settings.Optimizer} lr {settings.LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {settings.BatchSize}, {settings.Epochs} epochs");
        var trainer = new Trainer(compilation, parameters, optimizer, new TrainerOptions(ClipNorm: settings.ClipNorm, Seed: settings.Seed));
        var batcher = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Seed = settings.Seed, AddBos = true, AddEos = true, BucketSize = settings.BatchSize * 8 });
        var ordered = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Shuffle = false, AddBos = true, AddEos = true });

        // The folder is usable from the start: the spec, the vocabulary and where relative data paths point.
        Directory.CreateDirectory(runFolder);
        AtomicFile.WriteAllText(Path.Combine(runFolder, "spec.yaml"), probe.Source.Text);
        AtomicFile.WriteAllText(Path.Combine(runFolder, "data-folder.txt"), specDirectory + "\n");
        data.Vocabulary.Save(Path.Combine(runFolder, "vocab.json"));
        if (data.ValidationLines.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(runFolder, "validation.txt"), string.Concat(data.ValidationLines.Select(l => l + "\n")));

        var clock = Stopwatch.StartNew();
        var trainStream = data.IsStream ? new StreamBatcher(data.TrainStream!, settings.BatchSize, settings.Steps) : null;
        var validationStream = data.IsStream && data.ValidationStream!.Length > settings.BatchSize
            ? new StreamBatcher(data.ValidationStream, settings.BatchSize, Math.Min(settings.Steps, data.ValidationStream.Length / settings.BatchSize - 1))
            : null;
        if (trainStream is { WindowCount: 0 })
            throw new RunException($"the training stream ({data.TrainStream!.Length} tokens) is too short for batch_size {settings.BatchSize} × steps {settings.Steps}");
        int batchesPerEpoch = trainStream?.WindowCount ?? (data.Train.Count + settings.BatchSize - 1) / settings.BatchSize;
        // The rate of every optimizer step comes from the schedule at the step's index in the whole run.
        var schedule = settings.LearningRateSchedule((long)settings.Epochs * batchesPerEpoch, batchesPerEpoch);
        var best = settings.EarlyStopping is null ? null : EarlyStopping.Start(metrics, parameters, runFolder);
        bool stopped = false;
        for (int epoch = firstEpoch; epoch <= settings.Epochs && !stopped; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            observer.EpochStarted(epoch, settings.Epochs, batchesPerEpoch);
            int index = 0;
            var trainBatches = trainStream is not null
                ? Windows(trainStream, model, trainer)
                : batcher.Batches(data.Train, epoch).Select(NextTokenBatch);
            var (trainLoss, tokens) = MeanLoss(trainBatches, b =>
            {
                double loss = trainer.Step(b, schedule.At(optimizerStep++));
                observer.BatchDone(++index, loss, b.Lengths?.Sum() ?? b.Steps * b.Batch);
                return loss;
            });
            double? validationLoss = data.IsStream
                ? validationStream is null ? null : MeanLoss(Windows(validationStream, model, trainer), trainer.Loss).Loss
                : data.Validation.Count == 0 ? null : MeanLoss(ordered.Batches(data.Validation).Select(NextTokenBatch), trainer.Loss).Loss;
            double seconds = epochClock.Elapsed.TotalSeconds;
            var m = new EpochMetrics(epoch, settings.Epochs, trainLoss, validationLoss, tokens / seconds, seconds);
            metrics.Add(m);
            new Checkpoint(epoch, parameters, optimizer.SaveState()).Write(runFolder);
            MetricsFile.Write(Path.Combine(runFolder, MetricsFile.FileName), metrics);
            LossCurveSvg.Write(Path.Combine(runFolder, LossCurveSvg.FileName), metrics);
            observer.EpochDone(m);
            if (best is not null && validationLoss is { } v)
            {
                if (best.Improves(epoch, v, parameters, runFolder))
                    continue;
                if (epoch - best.Epoch >= settings.EarlyStopping)
                {
                    observer.Message(string.Create(CultureInfo.InvariantCulture,
                        $"early stopping after epoch {epoch} (best validation loss {best.Loss:0.0000} at epoch {best.Epoch})"));
                    stopped = true;
                }
            }
        }

        // With early stopping the run keeps the weights of its best epoch.
        var kept = metrics.Count > 0 ? metrics[^1] : null;
        if (best is { Epoch: > 0 })
        {
            best.Restore(parameters);
            kept = metrics.First(x => x.Epoch == best.Epoch);
        }
        var samples = Samples(compilation, parameters, data, settings);
        SafeTensors.Write(Path.Combine(runFolder, "weights.safetensors"), parameters.ToTensors());
        AtomicFile.WriteAllText(Path.Combine(runFolder, "samples.txt"), string.Concat(samples.Select(s => s + "\n")));
        return new RunSummary(runFolder, metrics.Count, kept?.TrainLoss ?? double.NaN, kept?.ValidationLoss, samples, clock.Elapsed);
    }

    /// <summary>
    /// The best epoch so far by validation loss and its weights: in memory, and in best.safetensors so a resumed
    /// run can keep them too.
    /// </summary>
    private sealed class EarlyStopping
    {
        public const string FileName = "best.safetensors";

        public int Epoch { get; private set; }
        public double Loss { get; private set; } = double.PositiveInfinity;
        private float[][]? _weights;

        /// <summary>The best of the epochs already run (when resuming), with its weights from the run folder.</summary>
        public static EarlyStopping Start(IReadOnlyList<EpochMetrics> metrics, ParameterSet parameters, string runFolder)
        {
            var state = new EarlyStopping();
            foreach (var m in metrics)
            {
                if (m.ValidationLoss is { } v && v < state.Loss) (state.Epoch, state.Loss) = (m.Epoch, v);
            }
            string path = Path.Combine(runFolder, FileName);
            if (state.Epoch > 0 && File.Exists(path))
            {
                var tensors = SafeTensors.Read(path);
                state._weights = new float[parameters.Count][];
                for (int i = 0; i < parameters.Count; i++)
                {
                    if (!tensors.TryGetValue(parameters[i].Name, out var value) || value.ToFloatArray() is not { } w || w.Length != parameters[i].Value.Length)
                        throw new RunException($"{path}: parameter '{parameters[i].Name}' is missing or has another shape than the spec's model");
                    state._weights[i] = w;
                }
            }
            else if (state.Epoch > 0)
            {
                throw new RunException($"'{runFolder}' has no {FileName} with the best epoch's weights to resume early stopping from");
            }
            return state;
        }

        /// <summary>Whether <paramref name="loss"/> is a new best; if so it keeps the weights.</summary>
        public bool Improves(int epoch, double loss, ParameterSet parameters, string runFolder)
        {
            if (!(loss < Loss)) return false;
            (Epoch, Loss) = (epoch, loss);
            _weights = new float[parameters.Count][];
            for (int i = 0; i < parameters.Count; i++) _weights[i] = (float[])parameters[i].Value.Clone();
            SafeTensors.Write(Path.Combine(runFolder, FileName), parameters.ToTensors());
            return true;
        }

        public void Restore(ParameterSet parameters)
        {
            for (int i = 0; i < parameters.Count; i++) _weights![i].CopyTo(parameters[i].Value, 0);
        }
    }

    /// <summary>The token-weighted mean loss over batches; each batch's loss is already a mean over its targets.</summary>
    private static (double Loss, long Tokens) MeanLoss(IEnumerable<TrainingBatch> batches, Func<TrainingBatch, double> step)
    {
        double total = 0;
        long tokens = 0;
        foreach (var batch in batches)
        {
            int count = batch.Lengths?.Sum() ?? batch.Steps * batch.Batch;
            total += step(batch) * count;
            tokens += count;
        }
        return (tokens == 0 ? double.NaN : total / tokens, tokens);
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

    /// <summary>Inputs are the padded &lt;bos&gt; line &lt;eos&gt; sequences without their last step, targets the same shifted by one.</summary>
    private static TrainingBatch NextTokenBatch(SequenceBatch batch)
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
        return new TrainingBatch(T, B, inputs, targets, batch.Lengths.Select(l => l - 1).ToArray());
    }

    private static List<string> Samples(Compilation compilation, ParameterSet parameters, LanguageModelData data, RunSettings settings)
    {
        var sampler = new Sampler(compilation, parameters);
        var random = new Random(settings.Seed);
        var prefix = data.Vocabulary.Encode(data.Tokenizer.Tokenize(settings.Prefix));
        return Enumerable.Range(0, settings.Samples)
            .Select(_ => data.Tokenizer.Detokenize(data.Vocabulary.Decode(sampler.Sample(prefix, settings.MaxLength, settings.Temperature, random))))
            .ToList();
    }
}
