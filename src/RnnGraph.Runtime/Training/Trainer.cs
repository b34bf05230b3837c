using RnnGraph.Compiler;
using RnnGraph.Compiler.Analysis;
using RnnGraph.Compiler.Autodiff;
using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Training;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Training;

/// <summary>
/// Trains a compiled model one batch at a time: forward, loss, backward (one graph), gradient clipping,
/// optimizer step. Graphs are compiled once per sequence length and executors planned once per batch size,
/// so repeated steps on same-shaped batches only copy data and run kernels.
/// </summary>
public sealed partial class Trainer
{
    private readonly Compilation _compilation;
    private readonly IOptimizer _optimizer;
    private readonly Dictionary<(int Steps, bool Masked, bool Backward, bool States, int TargetSteps, bool Sampled), Graph> _graphs = new();
    private readonly Dictionary<(int Steps, bool Masked, bool Backward, bool States, int TargetSteps, bool Sampled, int Batch), PlannedExecutor> _executors = new();
    private readonly Dictionary<string, int> _stackSizes = new(StringComparer.Ordinal);

    public Trainer(Compilation compilation, ParameterSet parameters, IOptimizer optimizer, TrainerOptions? options = null)
    {
        _compilation = compilation;
        var model = compilation.Model ?? throw new InvalidOperationException("the spec has errors");
        Parameters = parameters;
        _optimizer = optimizer;
        Options = options ?? new TrainerOptions();
        foreach (var p in model.Parameters)
        {
            if (!parameters.TryGet(p.Name, out var given))
                throw new ArgumentException($"no value for parameter '{p.Name}'", nameof(parameters));
            if (!given.Shape.SequenceEqual(p.Dims))
                throw new ArgumentException($"parameter '{p.Name}' has shape [{string.Join(",", given.Shape)}] but the model needs [{string.Join(",", p.Dims)}]", nameof(parameters));
        }
        foreach (var layer in model.RnnLayers)
            for (int s = 0; s < layer.States.Count; s++)
                _stackSizes[ModelNames.InitialState(model, layer, s)] = layer.NumLayers * layer.Directions;
        if (Options.RecomputeEvery is { } every)
        {
            if (every < 1) throw new ArgumentOutOfRangeException(nameof(options), "RecomputeEvery must be a positive number of steps");
            if (model.SegmentObstacle() is { } obstacle) throw new ArgumentException("RecomputeEvery cannot train this model: " + obstacle, nameof(options));
        }
    }

    /// <summary>
    /// An executor with everything a step needs looked up once: which output holds each parameter's gradient,
    /// the dropout inputs in a fixed order with their buffers, and the outputs of each final state.
    /// </summary>
    private sealed class PlannedExecutor
    {
        public PlannedExecutor(Executor<float> executor, ParameterSet parameters, BoundModel model)
        {
            Executor = executor;
            var outputs = executor.Graph.Outputs;
            Gradients = parameters.Select(p => (p, outputs.FirstOrDefault(o => o.Name == "grad." + p.Name))).ToArray();
            Dropout = executor.InputNodes.Where(n => n.Attributes.I0 == (int)InputKind.Dropout)
                .OrderBy(n => n.Attributes.Name, StringComparer.Ordinal).ThenBy(n => n.Attributes.Index)
                .Select(n => (n, new float[n.Shape.ElementCount(executor.Batch)])).ToArray();
            var finals = new List<(string, GraphOutput[])>();
            foreach (var layer in model.RnnLayers)
                for (int s = 0; s < layer.States.Count; s++)
                {
                    string final = ModelNames.FinalState(model, layer, s);
                    finals.Add((ModelNames.InitialState(model, layer, s), outputs.Where(o => o.Name == final).OrderBy(o => o.Index).ToArray()));
                }
            FinalStates = finals.ToArray();
            StepMask = new float[executor.Batch];
        }

        public Executor<float> Executor { get; }
        public (Parameter Parameter, GraphOutput? Gradient)[] Gradients { get; }
        public (Node Node, float[] Buffer)[] Dropout { get; }
        public (string InitialName, GraphOutput[] Parts)[] FinalStates { get; }
        public float[] StepMask { get; }
        public float[] Scalar { get; } = new float[1];
    }

    public ParameterSet Parameters { get; }
    public TrainerOptions Options { get; }

    /// <summary>The optimized graph this trainer runs for batches shaped like <paramref name="batch"/> (compiled on first use).</summary>
    /// <para>Always the one graph of all the batch's steps, also when <see cref="TrainerOptions.RecomputeEvery"/> would train it in segments (<see cref="GraphsRunFor"/>).</para>
    public Graph GraphFor(TrainingBatch batch, bool withBackward = true) => ExecutorFor(batch, withBackward).Executor.Graph;

    /// <summary>The executor <see cref="Step"/> (or, without backward, <see cref="Loss(TrainingBatch)"/>) runs for batches shaped like this one, e.g. to profile it.</summary>
    public Executor<float> ExecutorOf(TrainingBatch batch, bool withBackward = true) => ExecutorFor(batch, withBackward).Executor;

    /// <summary>The compiled model this trainer trains.</summary>
    public Compilation Compilation => _compilation;

    /// <summary>
    /// The recurrent states at the end of the last batch, by initial-state input name (<c>h0</c>, <c>c0</c>),
    /// ready to be passed as the next window's <see cref="TrainingBatch.InitialStates"/>.
    /// </summary>
    public IReadOnlyDictionary<string, float[]> FinalStates => _finalStates ??= _lastRun is null && _segmentFinals is not null ? CopySegmentFinalStates() : CopyFinalStates();

    /// <summary>The executor that ran last (its final-state outputs are the current final states), and their copies once asked for.</summary>
    private PlannedExecutor? _lastRun;
    private Dictionary<string, float[]>? _finalStates;

    /// <summary>Runs one training step and returns the loss before the update (as PyTorch's loop reports it).</summary>
    public double Step(TrainingBatch batch, double learningRate)
    {
        if (Segmented(batch) is { } segments) return SegmentedStep(batch, segments, learningRate);
        var plan = ExecutorFor(batch);
        var executor = plan.Executor;
        foreach (var p in Parameters)
            if (executor.HasParam(p.Name)) executor.SetParam(p.Name, p.Value);
        Feed(plan, batch);
        executor.Run();

        foreach (var (p, gradient) in plan.Gradients)
        {
            if (gradient is not null) executor.Output(gradient).CopyTo(p.Grad);
            else Array.Clear(p.Grad);
        }
        KeepFinalStates(plan);
        double loss = executor.Output(LossBuilder.LossOutput)[0];
        float? clipped = Options.ClipNorm is { } norm ? GradientClipping.ClipByNorm(Parameters, norm) : null;
        CheckFinite(batch, loss, clipped);
        if (Options.ClipValue is { } value) GradientClipping.ClipByValue(Parameters, value);
        _optimizer.Step(Parameters, learningRate);
        CheckUpdatedWeights(learningRate);
        return loss;
    }

    /// <summary>The loss on a batch without any update (validation): a forward-only graph.</summary>
    public double Loss(TrainingBatch batch)
    {
        if (Segmented(batch) is { } segments) return SegmentedLoss(batch, segments, []);
        var plan = ExecutorFor(batch, withBackward: false);
        var executor = plan.Executor;
        foreach (var p in Parameters)
            if (executor.HasParam(p.Name)) executor.SetParam(p.Name, p.Value);
        Feed(plan, batch);
        executor.Run();
        KeepFinalStates(plan);
        return executor.Output(LossBuilder.LossOutput)[0];
    }

    /// <summary>
    /// The loss on a batch without any update, also copying the model's output <c>y</c> into <paramref name="outputs"/>:
    /// [B,O] for a model with one output per sequence, [T,B,O] (time-major) for one per step.
    /// </summary>
    public double Loss(TrainingBatch batch, Span<float> outputs)
    {
        if (Segmented(batch) is { } segments) return SegmentedLoss(batch, segments, outputs);
        double loss = Loss(batch);
        var plan = ExecutorFor(batch, withBackward: false);
        int offset = 0;
        foreach (var o in plan.Executor.Graph.Outputs.Where(o => o.Name == ModelNames.Output).OrderBy(o => o.Index))
        {
            var part = plan.Executor.Output(o);
            part.CopyTo(outputs[offset..]);
            offset += part.Length;
        }
        return loss;
    }

    /// <summary>
    /// Forward and backward on a batch through a graph with state probes (<see cref="UnrollOptions.StateProbes"/>) fed
    /// zeros, without dropout and without any update: the loss, the parameters' gradients and dL/dh_t at every step of
    /// every recurrent layer, stacked index and direction (zero past each sequence's length). Trainer state is untouched.
    /// </summary>
    public ProbedGradients ProbeStates(TrainingBatch batch) => ProbeStates(batch, null);

    /// <summary>As <see cref="ProbeStates(TrainingBatch)"/> with some probes set to given values (by name and step) instead of zero: h_t + value.</summary>
    internal ProbedGradients ProbeStates(TrainingBatch batch, IReadOnlyDictionary<(string Name, int Step), float[]>? probeValues)
    {
        CheckTopology(_compilation.Model!, batch);
        bool masked = batch.Lengths is not null, states = batch.InitialStates is not null;
        var key = (batch.Steps, masked, true, states, batch.TargetSteps, batch.Teacher is not null, batch.Batch);
        if (!_probedExecutors.TryGetValue(key, out var plan))
        {
            var forward = _compilation.Unroll(UnrollFor(batch, training: false) with { StateProbes = true });
            var graph = _compilation.Optimize(AutodiffPass.Run(AddLoss(_compilation, Options.Loss, forward), name => name == LossBuilder.LossOutput,
                n => n.Op.Name == "param" || StateProbes.IsProbe(n.Attributes.Name)));
            _probedExecutors[key] = plan = new PlannedExecutor(new Executor<float>(graph, batch.Batch, threads: Options.Threads), Parameters, _compilation.Model!);
        }
        var executor = plan.Executor;
        foreach (var p in Parameters)
            if (executor.HasParam(p.Name)) executor.SetParam(p.Name, p.Value);
        var probes = executor.InputNodes.Where(n => StateProbes.IsProbe(n.Attributes.Name)).ToList();
        foreach (var probe in probes)
            executor.SetInput(probe.Attributes.Name!, probe.Attributes.Index,
                probeValues is not null && probeValues.TryGetValue((probe.Attributes.Name!, probe.Attributes.Index), out var value) ? value : new float[probe.Shape.ElementCount(batch.Batch)]);
        Feed(plan, batch);
        executor.Run();

        var parameters = plan.Gradients.ToDictionary(g => g.Parameter.Name,
            g => g.Gradient is { } o ? executor.Output(o).ToArray() : new float[g.Parameter.Length], StringComparer.Ordinal);
        var stateGradients = new Dictionary<(string, int), float[]>();
        foreach (var probe in probes)
            stateGradients[(probe.Attributes.Name!, probe.Attributes.Index)] = executor.Output("grad." + probe.Attributes.Name, probe.Attributes.Index).ToArray();
        return new ProbedGradients(executor.Output(LossBuilder.LossOutput)[0], parameters, stateGradients);
    }

    private readonly Dictionary<(int Steps, bool Masked, bool Backward, bool States, int TargetSteps, bool Sampled, int Batch), PlannedExecutor> _probedExecutors = new();

    /// <summary>
    /// Remembers which executor holds the final states; they are copied out only when <see cref="FinalStates"/> is read,
    /// so a training step allocates nothing (graph outputs keep their own arrays until the executor runs again).
    /// </summary>
    private void KeepFinalStates(PlannedExecutor plan)
    {
        _lastRun = plan;
        _finalStates = null;
    }

    /// <summary>Fresh arrays of the last run's final states (callers keep them as the next window's initial states).</summary>
    private Dictionary<string, float[]> CopyFinalStates()
    {
        var states = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (_lastRun is not { } plan) return states;
        foreach (var (initialName, parts) in plan.FinalStates)
        {
            var values = new float[parts.Sum(o => plan.Executor.Output(o).Length)];
            int offset = 0;
            foreach (var o in parts)
            {
                var part = plan.Executor.Output(o);
                part.CopyTo(values.AsSpan(offset));
                offset += part.Length;
            }
            states[initialName] = values;
        }
        return states;
    }

    private PlannedExecutor ExecutorFor(TrainingBatch batch, bool withBackward = true)
    {
        CheckTopology(_compilation.Model!, batch);
        bool masked = batch.Lengths is not null, states = batch.InitialStates is not null;
        var key = (batch.Steps, masked, withBackward, states, batch.TargetSteps, batch.Teacher is not null, batch.Batch);
        if (_executors.TryGetValue(key, out var planned)) return planned;
        planned = Plan(batch, withBackward, masked, states);
        _executors[key] = planned;
        return planned;
    }

    /// <summary>
    /// Compiles (or finds) the graph and plans its executor, each phase timed when the compilation records timings. Kept
    /// apart from <see cref="ExecutorFor"/> so that a step that finds its executor allocates nothing (not even closures).
    /// </summary>
    private PlannedExecutor Plan(TrainingBatch batch, bool withBackward, bool masked, bool states)
    {
        var timings = _compilation.Timings;
        var graphKey = (batch.Steps, masked, withBackward, states, batch.TargetSteps, batch.Teacher is not null);
        if (!_graphs.TryGetValue(graphKey, out var graph))
        {
            var options = UnrollFor(batch, withBackward);
            // A short graph is built first and measured itself; a long one is refused before it is unrolled.
            Graph? built = batch.Steps <= MemoryEstimate.ExactSteps ? BuildGraph(_compilation, Options.Loss, options, timings) : null;
            CheckMemory(steps => steps == batch.Steps && built is not null ? built : BuildGraph(_compilation, Options.Loss, options with { Steps = steps }, null),
                batch.Steps, batch.Batch, withBackward);
            graph = built ?? BuildGraph(_compilation, Options.Loss, options, timings);
            _graphs[graphKey] = graph;
        }
        return CompileTimings.Measure(timings, "executor", () => new PlannedExecutor(new Executor<float>(graph, batch.Batch, threads: Options.Threads), Parameters, _compilation.Model!));
    }

    /// <summary>How to unroll the graph of batches shaped like <paramref name="batch"/>; <paramref name="training"/> adds dropout.</summary>
    private static UnrollOptions UnrollFor(TrainingBatch batch, bool training) =>
        new(batch.Steps, batch.InitialStates?.Keys.ToHashSet(StringComparer.Ordinal), batch.Lengths is not null, training)
        {
            TargetSteps = batch.TargetSteps,
            SampledTeacherForcing = batch.Teacher is not null,
        };

    /// <summary>The loss on a forward graph: over the decoder's targets (masked by their own lengths) for an encoder-decoder.</summary>
    private static Graph AddLoss(Compilation compilation, LossKind loss, Graph forward) =>
        LossBuilder.AddLoss(forward, loss, targetMasks: compilation.Model!.IsEncoderDecoder);

    /// <summary>The optimized graph of <paramref name="steps"/> steps with the loss and, for training, the backward pass.</summary>
    private static Graph BuildGraph(Compilation compilation, LossKind loss, int steps, HashSet<string>? given, bool masked, bool withBackward,
                                    CompileTimings? timings) =>
        BuildGraph(compilation, loss, new UnrollOptions(steps, given, masked, withBackward) { TargetSteps = compilation.Model!.IsEncoderDecoder ? steps : 0 }, timings);

    /// <summary>The optimized graph unrolled as <paramref name="options"/> say, with the loss and, for training (<see cref="UnrollOptions.Training"/>), the backward pass.</summary>
    private static Graph BuildGraph(Compilation compilation, LossKind loss, UnrollOptions options, CompileTimings? timings)
    {
        var forward = compilation.Unroll(options);
        var withLoss = CompileTimings.Measure(timings, "loss", () => AddLoss(compilation, loss, forward));
        return compilation.Optimize(options.Training
            ? CompileTimings.Measure(timings, "autodiff", () => AutodiffPass.Run(withLoss, name => name == LossBuilder.LossOutput, n => n.Op.Name == "param"))
            : withLoss);
    }

    /// <summary>What one-to-one and one-to-many batches must carry (see <see cref="TrainingBatch"/>).</summary>
    private static void CheckTopology(BoundModel model, TrainingBatch batch)
    {
        if (model.OneToOne && (batch.Steps != 1 || batch.Lengths is not null))
            throw new ArgumentException("a one-to-one model trains on batches of one step (Steps = 1) without lengths: Inputs [B,I] or [B] ids, Targets [B] or [B,O]", nameof(batch));
        if (model.IsEncoderDecoder && (batch.TargetSteps < 1 || batch.DecoderInputs?.Length != batch.TargetSteps * batch.Batch
                                       || batch.Targets.Length != batch.TargetSteps * batch.Batch || batch.TargetLengths?.Length != batch.Batch))
            throw new ArgumentException("an encoder-decoder batch needs the source ids [S,B] as Inputs, and TargetSteps, DecoderInputs [T,B], Targets [T,B] and TargetLengths [B]", nameof(batch));
        if (model.OneToMany && batch.Condition?.Length != batch.Batch * model.Input.Size)
            throw new ArgumentException($"a one-to-many model needs TrainingBatch.Condition [B,C] = {batch.Batch * model.Input.Size} floats (Inputs are then the fed-back token ids [T,B])", nameof(batch));
    }

    /// <summary>
    /// Fills every dropout mask input: 0 with its probability p, else 1/(1-p). The generator is seeded by the
    /// trainer's seed and the optimizer step, so a resumed run draws the masks an uninterrupted one would.
    /// </summary>
    private void DrawDropoutMasks(PlannedExecutor plan)
    {
        if (plan.Dropout.Length == 0) return;
        var random = new Random(unchecked(Options.Seed * 1_000_003 + (int)_optimizer.StepCount));
        foreach (var (node, mask) in plan.Dropout)
        {
            double p = node.Attributes.Scalar;
            float keep = (float)(1 / (1 - p));
            for (int i = 0; i < mask.Length; i++) mask[i] = random.NextDouble() < p ? 0f : keep;
            plan.Executor.SetInput(node.Attributes.Name!, node.Attributes.Index, mask);
        }
    }

    private void Feed(PlannedExecutor plan, TrainingBatch batch)
    {
        var executor = plan.Executor;
        var model = _compilation.Model!;
        if (model.IsEncoderDecoder)
        {
            FeedEncoderDecoder(plan, batch);
            return;
        }
        int T = batch.Steps, B = batch.Batch;
        int inputWidth = model.Input.IsTokens ? 1 : model.Input.Size;
        int targetWidth = Options.Loss == LossKind.CrossEntropy ? 1 : model.Layers[^1].OutputSize;
        // One-to-many: the steps take the fed-back token ids ([T,B] in Inputs), the condition [B,C] enters whole.
        // One-to-one: Inputs is the whole [B,I] (or [B] ids) input of the one step.
        string stepInput = model.OneToMany ? ModelNames.Feedback : model.Input.Name;
        int stepWidth = model.OneToMany ? 1 : inputWidth;
        for (int t = 0; t < T; t++)
        {
            if (executor.HasInput(stepInput, t))
                executor.SetInput(stepInput, t, batch.Inputs.AsSpan(t * B * stepWidth, B * stepWidth));
            if (executor.HasInput(LossBuilder.TargetInput, t))
                executor.SetInput(LossBuilder.TargetInput, t, batch.Targets.AsSpan(t * B * targetWidth, B * targetWidth));
        }
        if (executor.HasInput(model.Input.Name, -1))
            executor.SetInput(model.Input.Name, -1, model.OneToMany ? batch.Condition : batch.Inputs.AsSpan(0, B * inputWidth));
        // Many-to-one: one target per sequence, [B] (class ids) or [B,O].
        if (executor.HasInput(LossBuilder.TargetInput, -1))
            executor.SetInput(LossBuilder.TargetInput, -1, batch.Targets.AsSpan(0, B * targetWidth));
        if (batch.InitialStates is { } initial)
        {
            foreach (var (name, values) in initial)
            {
                int slice = values.Length / (_stackSizes.TryGetValue(name, out int k) ? k : throw new ArgumentException($"the model has no initial state '{name}'"));
                for (int index = 0; executor.HasInput(name, index); index++)
                    executor.SetInput(name, index, values.AsSpan(index * slice, slice));
            }
        }
        DrawDropoutMasks(plan);
        bool perSequence = executor.HasInput(LossBuilder.TargetInput, -1);
        int counted = perSequence ? B : T * B;
        if (batch.Lengths is { } lengths)
        {
            var mask = plan.StepMask;
            for (int t = 0; t < T; t++)
            {
                for (int b = 0; b < B; b++) mask[b] = t < lengths[b] ? 1f : 0f;
                if (executor.HasInput(ModelNames.Mask, t)) executor.SetInput(ModelNames.Mask, t, mask);
            }
            if (!perSequence) counted = lengths.Sum();
        }
        // The loss is a mean over every counted target value, as PyTorch's reductions are.
        plan.Scalar[0] = 1f / (counted * targetWidth);
        executor.SetInput(LossBuilder.ScaleInput, -1, plan.Scalar);
        plan.Scalar[0] = 1f;
        if (executor.HasInput("dloss", -1)) executor.SetInput("dloss", -1, plan.Scalar);
    }

    /// <summary>
    /// An encoder-decoder batch: the source ids and their masks, then per decoder step its input tokens, the teacher choices
    /// (sampled teacher forcing), the targets and their masks; the loss is a mean over the target tokens.
    /// </summary>
    private void FeedEncoderDecoder(PlannedExecutor plan, TrainingBatch batch)
    {
        var executor = plan.Executor;
        var model = _compilation.Model!;
        int S = batch.Steps, T = batch.TargetSteps, B = batch.Batch;
        var mask = plan.StepMask;
        for (int j = 0; j < S; j++)
        {
            executor.SetInput(model.Input.Name, j, batch.Inputs.AsSpan(j * B, B));
            if (batch.Lengths is { } lengths && executor.HasInput(ModelNames.Mask, j))
            {
                for (int b = 0; b < B; b++) mask[b] = j < lengths[b] ? 1f : 0f;
                executor.SetInput(ModelNames.Mask, j, mask);
            }
        }
        var targetLengths = batch.TargetLengths!;
        for (int t = 0; t < T; t++)
        {
            if (executor.HasInput(EncoderDecoderNames.DecoderInput, t))
                executor.SetInput(EncoderDecoderNames.DecoderInput, t, batch.DecoderInputs.AsSpan(t * B, B));
            if (batch.Teacher is { } teacher && executor.HasInput(EncoderDecoderNames.Teacher, t))
                executor.SetInput(EncoderDecoderNames.Teacher, t, teacher.AsSpan(t * B, B));
            if (executor.HasInput(LossBuilder.TargetInput, t))
                executor.SetInput(LossBuilder.TargetInput, t, batch.Targets.AsSpan(t * B, B));
            if (executor.HasInput(EncoderDecoderNames.TargetMask, t))
            {
                for (int b = 0; b < B; b++) mask[b] = t < targetLengths[b] ? 1f : 0f;
                executor.SetInput(EncoderDecoderNames.TargetMask, t, mask);
            }
        }
        DrawDropoutMasks(plan);
        int counted = 0;
        foreach (int length in targetLengths) counted += length;
        plan.Scalar[0] = 1f / counted;
        executor.SetInput(LossBuilder.ScaleInput, -1, plan.Scalar);
        plan.Scalar[0] = 1f;
        if (executor.HasInput("dloss", -1)) executor.SetInput("dloss", -1, plan.Scalar);
    }
}
