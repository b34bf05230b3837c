using System.Diagnostics;
using System.Globalization;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Analysis;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>What a finished run reports: the last (or, with early stopping, the best) epoch's metrics, where its files are, and its samples or predictions.</summary>
public sealed record RunSummary(string Folder, int Epochs, double TrainLoss, double? ValidationLoss, RunReport Report, TimeSpan Elapsed)
{
    public double? ValidationAccuracy { get; init; }

    /// <summary>Whether the losses are per-token cross-entropies, so exp(loss) is a perplexity.</summary>
    public bool LossIsPerToken { get; init; } = true;
}

/// <summary>
/// <c>rnngraph run</c>: reads the data, binds the model to its sizes (vocabulary, labels), trains with the spec's
/// optimizer, schedule and clipping, reports each epoch, and writes the run folder: spec.yaml, vocab.json and the
/// task's files from the start; after every epoch checkpoint.safetensors, metrics.csv, metrics.jsonl and loss.svg; at
/// the end weights.safetensors and the samples or predictions (each file written atomically). The task — a language
/// model, a classifier, a conditional generator — comes from the model's topology (<see cref="RunTasks"/>);
/// <c>resume</c> continues from the checkpoint with the same data order, so the result equals an uninterrupted run.
/// </summary>
public static class TrainingRun
{
    /// <param name="resume">Continue the run in <paramref name="runFolder"/> from its checkpoint instead of starting afresh.</param>
    /// <param name="threads">Threads a training step may use (<see cref="TrainerOptions.Threads"/>); the run's results do not depend on it.</param>
    /// <param name="drawGraph">Draws a compiled graph as SVG for the report (Graphviz); null, or a null result, shows its DOT text instead.</param>
    public static RunSummary Run(Compilation probe, string runFolder, IRunObserver observer, int? epochsOverride = null, bool resume = false,
                                 Func<Compilation, string?>? drawGraph = null, int threads = 1)
    {
        var document = probe.Document ?? throw new InvalidOperationException("the spec has errors");
        var settings = RunSettings.From(document);
        if (epochsOverride is { } e) settings = settings with { Epochs = e };
        string specDirectory = Path.GetDirectoryName(Path.GetFullPath(probe.Source.Path)) ?? ".";
        if (resume && File.Exists(Path.Combine(runFolder, "data-folder.txt")))
            specDirectory = File.ReadAllText(Path.Combine(runFolder, "data-folder.txt")).Trim();
        var task = RunTasks.Create(probe, settings, specDirectory);
        var model = task.Model;
        if (settings.EarlyStopping is not null && !task.HasValidation)
            throw new RunException("'early_stopping' needs a validation loss: set data.validation above 0 (and give enough data to hold some out)");

        observer.Message(task.DataMessage);
        var optimizer = Optimizers.Create(settings.Optimizer);
        // Refused before the weights are allocated; each new batch shape is checked again by the trainer.
        string lengthHint = LengthHint(document, task.LeastSteps > 1);
        Trainer.EstimateStep(task.Compilation, task.Loss, task.LeastSteps, settings.BatchSize, optimizer)
            .Check(MemoryLimit.Current, MemoryEstimate.SpecRemedy(task.Compilation, lengthHint));
        var parameters = ParameterInitializer.Create(model, settings.Init, settings.Seed);
        var metrics = new List<EpochMetrics>();
        var flows = new List<(int Epoch, GradientFlowResult Flow)>();
        int firstEpoch = 1;
        long optimizerStep = 0;
        if (resume)
        {
            var checkpoint = Checkpoint.Read(runFolder, parameters);
            optimizer.LoadState(checkpoint.Optimizer);
            optimizerStep = checkpoint.Optimizer.Step;
            metrics.AddRange(MetricsFile.Read(Path.Combine(runFolder, MetricsFile.FileName)).Take(checkpoint.Epoch));
            flows.AddRange(GradientFlowFile.Read(Path.Combine(runFolder, GradientFlowFile.FileName)).Where(f => f.Epoch <= checkpoint.Epoch));
            firstEpoch = checkpoint.Epoch + 1;
            observer.Message($"resuming {runFolder} after epoch {checkpoint.Epoch}");
        }
        observer.Message($"model: {model.Parameters.Sum(p => p.Dims.Aggregate(1L, (a, b) => a * b))} weights; {settings.Optimizer} lr {settings.LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {settings.BatchSize}, {settings.Epochs} epochs");
        var trainer = new Trainer(task.Compilation, parameters, optimizer, new TrainerOptions(task.Loss, ClipNorm: settings.ClipNorm, Seed: settings.Seed, Threads: threads)
        {
            RecomputeEvery = settings.RecomputeEvery,
        })
        {
            SequenceLengthHint = lengthHint,
        };

        // The folder is usable from the start: the spec, the vocabulary and where relative data paths point.
        Directory.CreateDirectory(runFolder);
        AtomicFile.WriteAllText(Path.Combine(runFolder, "spec.yaml"), probe.Source.Text);
        AtomicFile.WriteAllText(Path.Combine(runFolder, "data-folder.txt"), specDirectory + "\n");
        task.WriteFolder(runFolder);

        var clock = Stopwatch.StartNew();
        int batchesPerEpoch = task.BatchesPerEpoch;
        // The rate of every optimizer step comes from the schedule at the step's index in the whole run.
        var schedule = settings.LearningRateSchedule((long)settings.Epochs * batchesPerEpoch, batchesPerEpoch);
        var best = settings.EarlyStopping is null ? null : EarlyStopping.Start(metrics, parameters, runFolder);
        long totalSteps = (long)settings.Epochs * batchesPerEpoch;
        var statics = ReportStatics(task.Compilation, settings, drawGraph);
        string specName = Path.GetFileNameWithoutExtension(probe.Source.Path);
        // The gradient flow is measured after every epoch on the same first training batches, so epochs compare.
        var flowBatches = model.RnnLayers.Any() ? task.TrainBatches(1, trainer).Take(2).ToList() : [];
        if (flowBatches.Any(b => b.InitialStates is not null)) flowBatches = flowBatches.Take(1).ToList(); // a stream's later windows carry states
        // Without the padding up to the length bucket: no step of the measured batches is empty for every sequence.
        flowBatches = flowBatches.Select(b => RunBatches.TrimPadding(b, model.OneOutputPerExample)).ToList();
        // The gradient flow needs every step's dL/dh_t from one whole-sequence graph, which recompute_every is there to avoid.
        if (settings.RecomputeEvery is { } every && flowBatches.Any(b => b.Steps > every))
        {
            observer.Message($"gradient flow not measured: its batches are longer than recompute_every ({every} steps)");
            flowBatches = [];
        }
        void Report(RunReport? final) => RunReportWriter.Write(runFolder, probe.Source.Text, specName, settings, metrics, schedule, totalSteps, statics,
            RunReportWriter.GradientFlowHtml(flows), final, clock.Elapsed);
        bool stopped = false;
        for (int epoch = firstEpoch; epoch <= settings.Epochs && !stopped; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            observer.EpochStarted(epoch, settings.Epochs, batchesPerEpoch);
            int index = 0;
            double trainLoss;
            long tokens;
            try
            {
                (trainLoss, tokens) = task.MeanLoss(task.TrainBatches(epoch, trainer), b =>
                {
                    double loss = trainer.Step(b, schedule.At(optimizerStep));
                    optimizerStep++;
                    observer.BatchDone(++index, loss, RunTask.Count(b));
                    return loss;
                });
            }
            catch (NumericFaultException fault)
            {
                throw NumericFaults.Stopped(fault, probe, settings, epoch, index + 1, batchesPerEpoch, optimizerStep + 1, runFolder, metrics.Count > 0 ? metrics[^1].Epoch : 0);
            }
            var validation = task.Validate(trainer);
            if (flowBatches.Count > 0)
            {
                flows.Add((epoch, GradientFlow.Measure(trainer, flowBatches)));
                GradientFlowFile.Write(Path.Combine(runFolder, GradientFlowFile.FileName), flows);
            }
            double seconds = epochClock.Elapsed.TotalSeconds;
            var m = new EpochMetrics(epoch, settings.Epochs, trainLoss, validation.Loss, tokens / seconds, seconds)
            {
                ValidationAccuracy = validation.Accuracy,
                LossIsPerToken = task.LossIsPerToken,
            };
            metrics.Add(m);
            new Checkpoint(epoch, parameters, optimizer.SaveState()).Write(runFolder);
            MetricsFile.Write(runFolder, metrics);
            LossCurveSvg.Write(Path.Combine(runFolder, LossCurveSvg.FileName), metrics);
            Report(null);
            observer.EpochDone(m);
            if (best is not null && validation.Loss is { } v)
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
        SafeTensors.Write(Path.Combine(runFolder, "weights.safetensors"), parameters.ToTensors());
        var report = task.Finish(parameters, trainer, runFolder);
        Report(report);
        return new RunSummary(runFolder, metrics.Count, kept?.TrainLoss ?? double.NaN, kept?.ValidationLoss, report, clock.Elapsed)
        {
            ValidationAccuracy = kept?.ValidationAccuracy,
            LossIsPerToken = task.LossIsPerToken,
        };
    }

    /// <summary>Where a run's sequence length comes from, for a memory refusal's remedy.</summary>
    private static string LengthHint(Dsl.Spec.SpecDocument document, bool stream) =>
        stream ? (document.Training?.Steps is { } steps ? $"steps ({steps.Location})" : "training.steps (default 32)")
        : document.Data?.MaxTokens is { } max ? $"max_tokens ({max.Location})" : "the length of the data's lines (data.max_tokens cuts them)";

    /// <summary>The report's model summary (at T = <c>training.steps</c> and the batch size) and graph drawing (at T = 3), computed once per run.</summary>
    private static ReportStatics ReportStatics(Compilation compilation, RunSettings settings, Func<Compilation, string?>? drawGraph)
    {
        var summary = Compiler.Analysis.ModelSummary.Compute(compilation, settings.Steps, settings.BatchSize);
        string table = ReportPage.Table(Compiler.Analysis.SummaryFormat.Headers(summary), Compiler.Analysis.SummaryFormat.Rows(summary), textColumns: 3)
            + ReportPage.Preformatted(string.Join("\n", Compiler.Analysis.SummaryFormat.Notes(summary)));
        string? svg = drawGraph?.Invoke(compilation);
        string graph = svg is not null
            ? "<div class=\"graph\">" + ReportPage.Figure("graph", svg, "The forward graph unrolled over 3 steps (rnngraph dump SPEC --steps 3 --stage unrolled --format svg).") + "</div>"
            : ReportPage.Paragraph("Graphviz's dot was not available to draw the graph; its text form (rnngraph dump SPEC --steps 3 --stage unrolled):")
              + ReportPage.Preformatted(Compiler.Printing.GraphTextPrinter.Print(compilation.Stage("unrolled", 3, false, false)));
        return new ReportStatics(table, graph);
    }

    /// <summary>
    /// The best epoch so far by validation loss and its weights: in memory, and in best.safetensors (its epoch in the metadata) so
    /// a resumed run can keep them too.
    /// </summary>
    internal sealed class EarlyStopping
    {
        public const string FileName = "best.safetensors";

        public int Epoch { get; private set; }
        public double Loss { get; private set; } = double.PositiveInfinity;
        private float[][]? _weights;

        /// <summary>
        /// The best of the epochs already run (when resuming), with its weights. When the best is the checkpoint's own epoch its
        /// weights are <paramref name="parameters"/> (just read from the checkpoint): a run stopped after writing that checkpoint but
        /// before best.safetensors left the file one best behind, and the file is written again. An earlier best's weights come
        /// from best.safetensors, whose epoch must be that one.
        /// </summary>
        public static EarlyStopping Start(IReadOnlyList<EpochMetrics> metrics, ParameterSet parameters, string runFolder)
        {
            var state = new EarlyStopping();
            foreach (var m in metrics)
            {
                if (m.ValidationLoss is { } v && v < state.Loss) (state.Epoch, state.Loss) = (m.Epoch, v);
            }
            if (state.Epoch == 0) return state;
            if (state.Epoch == metrics[^1].Epoch)
            {
                state.Keep(state.Epoch, parameters, runFolder);
                return state;
            }
            string path = Path.Combine(runFolder, FileName);
            if (!File.Exists(path))
                throw new RunException($"'{runFolder}' has no {FileName} with the best epoch's weights to resume early stopping from");
            var tensors = SafeTensors.Read(path, out var metadata);
            if (metadata.TryGetValue("epoch", out var written) && written != state.Epoch.ToString(CultureInfo.InvariantCulture))
                throw new RunException($"{path} holds the weights of epoch {written}, but the run's best validation loss so far is epoch {state.Epoch}'s; " +
                                       "the run folder was changed by hand or by another run: start the run afresh");
            state._weights = new float[parameters.Count][];
            for (int i = 0; i < parameters.Count; i++)
            {
                if (!tensors.TryGetValue(parameters[i].Name, out var value) || value.ToFloatArray() is not { } w || w.Length != parameters[i].Value.Length)
                    throw new RunException($"{path}: parameter '{parameters[i].Name}' is missing or has another shape than the spec's model");
                state._weights[i] = w;
            }
            return state;
        }

        /// <summary>Whether <paramref name="loss"/> is a new best; if so it keeps the weights.</summary>
        public bool Improves(int epoch, double loss, ParameterSet parameters, string runFolder)
        {
            if (!(loss < Loss)) return false;
            Loss = loss;
            Keep(epoch, parameters, runFolder);
            return true;
        }

        private void Keep(int epoch, ParameterSet parameters, string runFolder)
        {
            Epoch = epoch;
            _weights = new float[parameters.Count][];
            for (int i = 0; i < parameters.Count; i++) _weights[i] = (float[])parameters[i].Value.Clone();
            SafeTensors.Write(Path.Combine(runFolder, FileName), parameters.ToTensors(),
                new Dictionary<string, string> { ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture) });
        }

        public void Restore(ParameterSet parameters)
        {
            for (int i = 0; i < parameters.Count; i++) _weights![i].CopyTo(parameters[i].Value, 0);
        }
    }
}
