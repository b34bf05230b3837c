using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// Real training batches of a spec's data or of a run folder's, with the model bound to that data and its weights
/// (the spec's initialization, or the run's trained weights): what analyses such as gradient flow run on.
/// </summary>
public static class RunBatches
{
    /// <summary>A bound model, its weights, its loss and some of its first epoch's training batches.</summary>
    public sealed record Sample(Compilation Compilation, ParameterSet Parameters, LossKind Loss, IReadOnlyList<TrainingBatch> Batches);

    /// <summary>
    /// Loads <paramref name="specOrRunFolder"/>: a spec file (weights initialized as <c>rnngraph run</c> would) or a
    /// run folder (its spec.yaml, its trained weights and the data folder it trained on), and takes the first
    /// <paramref name="batches"/> training batches of epoch 1 in the run's order, each cut to its first
    /// <paramref name="steps"/> steps when given, else without its length bucket's padding (<see cref="TrimPadding"/>). Spec mistakes throw a <see cref="RunException"/> with the first diagnostic.
    /// </summary>
    public static Sample Load(string specOrRunFolder, IReadOnlyList<string> overrides, int batches, int? steps)
    {
        ArgumentNullException.ThrowIfNull(specOrRunFolder);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        bool isRun = Directory.Exists(specOrRunFolder);
        string specPath = isRun ? Path.Combine(specOrRunFolder, "spec.yaml") : specOrRunFolder;
        if (!File.Exists(specPath))
            throw new RunException(isRun ? $"'{specOrRunFolder}' is not a run folder: it has no spec.yaml" : $"spec '{specOrRunFolder}' does not exist");
        var bag = new Dsl.Diagnostics.DiagnosticBag();
        var source = SpecOverrides.Apply(new SourceText(specPath, File.ReadAllText(specPath)), overrides ?? [], bag);
        if (bag.HasErrors) throw new RunException(bag.First().ToString());
        var probe = Compilation.Create(source);
        if (probe.HasErrors || probe.Document is null) throw new RunException(probe.Diagnostics.First().ToString());

        var settings = RunSettings.From(probe.Document);
        string dataDirectory = Path.GetDirectoryName(Path.GetFullPath(specPath)) ?? ".";
        if (isRun && File.Exists(Path.Combine(specOrRunFolder, "data-folder.txt")))
            dataDirectory = File.ReadAllText(Path.Combine(specOrRunFolder, "data-folder.txt")).Trim();
        var task = RunTasks.Create(probe, settings, dataDirectory);
        if (steps is not null && task.Model.IsEncoderDecoder)
            throw new RunException($"'{specOrRunFolder}' is an encoder-decoder: cutting its batches to a number of steps would cut words or targets " +
                                   "short; leave out the step count and its batches keep their own lengths");
        var parameters = ParameterInitializer.Create(task.Model, settings.Init, settings.Seed);
        if (isRun)
        {
            var trained = TrainedModel.Load(specOrRunFolder).Parameters;
            foreach (var p in parameters) trained[p.Name].Value.CopyTo(p.Value, 0);
        }

        // Stream windows carry their states from one window to the next: the trainer runs each one to pass them on.
        var trainer = new Trainer(task.Compilation, parameters, Optimizers.Create("sgd"), new TrainerOptions(task.Loss, Seed: settings.Seed));
        var taken = new List<TrainingBatch>();
        foreach (var batch in task.TrainBatches(1, trainer))
        {
            taken.Add(steps is { } t && t < batch.Steps ? Cut(batch, t, task.Model.OneOutputPerExample) : TrimPadding(batch, task.Model.OneOutputPerExample));
            if (taken.Count == batches) break;
            if (batch.InitialStates is not null) trainer.Loss(batch);
        }
        return new Sample(task.Compilation, parameters, task.Loss, taken);
    }

    /// <summary>
    /// A batch's first <paramref name="steps"/> steps: inputs, per-step targets and lengths cut to them. An encoder-decoder's are
    /// source steps: its targets are left as they are (<see cref="CutTargets"/> cuts those).
    /// </summary>
    internal static TrainingBatch Cut(TrainingBatch batch, int steps, bool targetPerExample)
    {
        int perStepInput = batch.Inputs.Length / batch.Steps;
        bool perStepTargets = batch.TargetSteps == 0 && !targetPerExample;
        return batch with
        {
            Steps = steps,
            Inputs = batch.Inputs[..(perStepInput * steps)],
            Targets = perStepTargets ? batch.Targets[..(batch.Targets.Length / batch.Steps * steps)] : batch.Targets,
            Lengths = batch.Lengths?.Select(l => Math.Min(l, steps)).ToArray(),
        };
    }

    /// <summary>
    /// A batch without the steps its length bucket padded it with (no sequence reaches them), source and target: measured
    /// per step, a batch then has no step that is empty for every sequence.
    /// </summary>
    internal static TrainingBatch TrimPadding(TrainingBatch batch, bool targetPerExample)
    {
        if (batch.Lengths is { } lengths && lengths.Max() < batch.Steps) batch = Cut(batch, lengths.Max(), targetPerExample);
        if (batch.TargetLengths is { } targets && targets.Max() < batch.TargetSteps) batch = CutTargets(batch, targets.Max());
        return batch;
    }

    /// <summary>An encoder-decoder batch's first <paramref name="steps"/> decoder steps, which must hold every target (its padding only).</summary>
    internal static TrainingBatch CutTargets(TrainingBatch batch, int steps)
    {
        if (batch.TargetLengths is not { } lengths || lengths.Max() > steps) throw new ArgumentOutOfRangeException(nameof(steps), "the cut would drop targets");
        int kept = batch.Batch * steps;
        return batch with
        {
            TargetSteps = steps,
            Targets = batch.Targets[..kept],
            DecoderInputs = batch.DecoderInputs?[..kept],
            Teacher = batch.Teacher?[..kept],
        };
    }
}
