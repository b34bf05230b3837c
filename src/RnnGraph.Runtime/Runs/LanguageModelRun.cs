using System.Diagnostics;
using System.Globalization;
using System.Text;
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
/// samples.txt (each written atomically).
/// </summary>
public static class LanguageModelRun
{
    public static RunSummary Run(Compilation probe, string runFolder, Action<string> log, int? epochsOverride = null)
    {
        var document = probe.Document ?? throw new InvalidOperationException("the spec has errors");
        var settings = RunSettings.From(document);
        if (epochsOverride is { } e) settings = settings with { Epochs = e };
        string specDirectory = Path.GetDirectoryName(Path.GetFullPath(probe.Source.Path)) ?? ".";
        var data = LanguageModelData.Load(settings, specDirectory);

        var compilation = Compilation.Create(probe.Source, data.Vocabulary.Count);
        if (compilation.HasErrors) throw new RunException("the spec does not bind to the data's vocabulary: " + compilation.Diagnostics.First());
        var model = compilation.Model!;
        if (!model.Input.IsTokens)
            throw new RunException($"rnngraph run trains language models: declare the input as token ids, e.g. '{model.Input.Name}: {{ vocab: auto }}'");
        if (model.Layers[^1].OutputSize != data.Vocabulary.Count)
            throw new RunException($"the last layer gives {model.Layers[^1].OutputSize} values per step but the vocabulary has {data.Vocabulary.Count} tokens; use 'units: auto'");

        log($"data: {data.Train.Count} training and {data.Validation.Count} validation sequences, {data.TokenCount} tokens, vocabulary {data.Vocabulary.Count}");
        var parameters = ParameterInitializer.PyTorchDefaults(model, settings.Seed);
        log($"model: {model.Parameters.Sum(p => p.Dims.Aggregate(1L, (a, b) => a * b))} weights; {settings.Optimizer} lr {settings.LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {settings.BatchSize}, {settings.Epochs} epochs");
        var trainer = new Trainer(compilation, parameters, Optimizers.Create(settings.Optimizer), new TrainerOptions(ClipNorm: settings.ClipNorm));
        var batcher = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Seed = settings.Seed, AddBos = true, AddEos = true, BucketSize = settings.BatchSize * 8 });
        var ordered = new Batcher(new BatcherOptions { BatchSize = settings.BatchSize, Shuffle = false, AddBos = true, AddEos = true });

        Directory.CreateDirectory(runFolder);
        var metrics = new StringBuilder("epoch,train_loss,validation_loss,validation_perplexity,tokens_per_second,seconds\n");
        var clock = Stopwatch.StartNew();
        double trainLoss = double.NaN;
        double? validationLoss = null;
        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            (trainLoss, long tokens) = MeanLoss(batcher.Batches(data.Train, epoch), b => trainer.Step(b, settings.LearningRate));
            validationLoss = data.Validation.Count == 0 ? null : MeanLoss(ordered.Batches(data.Validation), trainer.Loss).Loss;
            double seconds = epochClock.Elapsed.TotalSeconds;
            string validation = validationLoss is { } v ? $"  validation loss {v:0.0000}  perplexity {Math.Exp(v):0.00}" : "";
            log(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{settings.Epochs}  train loss {trainLoss:0.0000}{validation}  {tokens / seconds:0} tokens/s  {seconds:0.0}s"));
            metrics.Append(string.Create(CultureInfo.InvariantCulture,
                $"{epoch},{trainLoss:R},{(validationLoss is { } vl ? vl.ToString("R", CultureInfo.InvariantCulture) : "")},{(validationLoss is { } vp ? Math.Exp(vp).ToString("R", CultureInfo.InvariantCulture) : "")},{tokens / seconds:0},{seconds:0.###}\n"));
        }

        var samples = Samples(compilation, parameters, data, settings);
        SafeTensors.Write(Path.Combine(runFolder, "weights.safetensors"), parameters.ToTensors());
        data.Vocabulary.Save(Path.Combine(runFolder, "vocab.json"));
        AtomicFile.WriteAllText(Path.Combine(runFolder, "spec.yaml"), probe.Source.Text);
        AtomicFile.WriteAllText(Path.Combine(runFolder, "metrics.csv"), metrics.ToString());
        AtomicFile.WriteAllText(Path.Combine(runFolder, "samples.txt"), string.Concat(samples.Select(s => s + "\n")));
        return new RunSummary(runFolder, settings.Epochs, trainLoss, validationLoss, samples, clock.Elapsed);
    }

    /// <summary>The token-weighted mean loss over batches; each batch's loss is already a mean over its targets.</summary>
    private static (double Loss, long Tokens) MeanLoss(IEnumerable<SequenceBatch> batches, Func<TrainingBatch, double> step)
    {
        double total = 0;
        long tokens = 0;
        foreach (var batch in batches)
        {
            var training = NextTokenBatch(batch);
            int count = training.Lengths!.Sum();
            total += step(training) * count;
            tokens += count;
        }
        return (tokens == 0 ? double.NaN : total / tokens, tokens);
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
