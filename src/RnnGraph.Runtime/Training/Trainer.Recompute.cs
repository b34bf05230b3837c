using RnnGraph.Compiler.Autodiff;
using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Training;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Training;

/// <summary>
/// Checkpointed BPTT (<see cref="TrainerOptions.RecomputeEvery"/> = k): a batch of T &gt; k steps runs in segments of k
/// steps. The forward pass keeps only the recurrent states at each segment's start; the backward pass then goes through
/// the segments last to first, recomputing each from its start states with a graph that has the loss and the backward
/// pass, seeded by the gradient of the segment's final states from the segment after it, and hands the gradient of its
/// initial states to the segment before. Memory grows like T/k stored states plus one k-step graph instead of T steps.
/// Only k-step graphs (and one for the shorter last segment) are ever compiled.
/// </summary>
/// <para>Dropout masks are drawn per step index from a generator keyed by the seed, the optimizer step, the mask's name
/// and its step, so the forward and recompute passes of a segment see the same masks (different ones than full BPTT draws).</para>
public sealed partial class Trainer
{
    /// <summary>A segment graph: with dropout masks, with the loss over its steps (else its final states only), with the backward pass.</summary>
    private readonly record struct SegmentKind(bool Training, bool Loss, bool Backward);

    /// <summary>How a batch splits: <see cref="Count"/> segments of <see cref="Length"/> steps, the last one <see cref="Last"/> steps.</summary>
    private readonly record struct Segments(int Length, int Count, int Last)
    {
        public int Start(int segment) => segment * Length;
        public int Steps(int segment) => segment == Count - 1 ? Last : Length;
    }

    private readonly Dictionary<(SegmentKind Kind, int Steps, bool Masked), Graph> _segmentGraphs = new();
    private readonly Dictionary<(SegmentKind Kind, int Steps, bool Masked, int Batch), PlannedExecutor> _segmentExecutors = new();

    /// <summary>The states carried between segments: initial-state input, final-state output, stacked layers and directions.</summary>
    private (string Initial, string Final, string Gradient, string Seed, int Stack)[]? _carried;

    /// <summary>The segments a batch trains in, or null when it runs as one graph (no recompute, or T &lt;= k).</summary>
    private Segments? Segmented(TrainingBatch batch)
    {
        if (Options.RecomputeEvery is not { } k || batch.Steps <= k || _compilation.Model!.OneToOne) return null;
        int count = (batch.Steps + k - 1) / k;
        var segments = new Segments(k, count, batch.Steps - (count - 1) * k);
        // Many-to-one pools the last step of each sequence, which the last segment's graph sees only if every sequence reaches it.
        if (_compilation.Model.ManyToOne && batch.Lengths is { } lengths && lengths.Min() <= segments.Start(count - 1))
            throw new RuntimeDataException($"with recompute_every: {k}, every sequence of a many-to-one batch must be longer than " +
                $"{segments.Start(count - 1)} steps (its last segment starts there), but one has {lengths.Min()} of the batch's {batch.Steps}");
        return segments;
    }

    private (string Initial, string Final, string Gradient, string Seed, int Stack)[] Carried()
    {
        if (_carried is not null) return _carried;
        var model = _compilation.Model!;
        var carried = new List<(string, string, string, string, int)>();
        foreach (var layer in model.RnnLayers)
            for (int s = 0; s < layer.States.Count; s++)
            {
                string initial = ModelNames.InitialState(model, layer, s), final = ModelNames.FinalState(model, layer, s);
                carried.Add((initial, final, "grad." + initial, "d" + final, layer.NumLayers * layer.Directions));
            }
        return _carried = carried.ToArray();
    }

    /// <summary>A k-step graph with every initial state fed; compiled once per kind, length and masking.</summary>
    private PlannedExecutor SegmentExecutor(SegmentKind kind, int steps, bool masked, int batch)
    {
        var key = (kind, steps, masked, batch);
        if (_segmentExecutors.TryGetValue(key, out var planned)) return planned;
        if (!_segmentGraphs.TryGetValue((kind, steps, masked), out var graph))
        {
            var carried = Carried();
            var initial = carried.Select(c => c.Initial).ToHashSet(StringComparer.Ordinal);
            // A segment with the backward pass is about the whole graph of its steps (the others are smaller).
            if (kind.Backward) CheckMemory(s => BuildGraph(_compilation, Options.Loss, s, initial, masked, true, null), steps, batch, withBackward: true);
            var finals = carried.Select(c => c.Final).ToHashSet(StringComparer.Ordinal);
            var forward = _compilation.Unroll(new UnrollOptions(steps, initial, masked, Training: kind.Training));
            graph = kind.Loss
                ? LossBuilder.AddLoss(forward, Options.Loss)
                : Graph.FromOutputs(forward.Stage, forward.Outputs.Where(o => finals.Contains(o.Name)).ToList(), forward.Info);
            if (kind.Backward)
                graph = AutodiffPass.Run(graph, name => name == LossBuilder.LossOutput || finals.Contains(name),
                    n => n.Op.Name == "param" || (n.Op.Name == "input" && initial.Contains(n.Attributes.Name!)));
            graph = _compilation.Optimize(graph);
            _segmentGraphs[(kind, steps, masked)] = graph;
        }
        planned = new PlannedExecutor(new Executor<float>(graph, batch, threads: Options.Threads), Parameters, _compilation.Model!);
        _segmentExecutors[key] = planned;
        return planned;
    }

    /// <summary>The graphs a training step (or, without backward, a loss) runs for this batch, each with how often it runs.</summary>
    /// <para>Without recompute, or for a batch of at most k steps, that is <see cref="GraphFor"/>'s one graph, once.</para>
    public IReadOnlyList<(Graph Graph, int Runs)> GraphsRunFor(TrainingBatch batch, bool withBackward = true)
    {
        if (Segmented(batch) is not { } segments) return [(GraphFor(batch, withBackward), 1)];
        bool masked = batch.Lengths is not null, perStep = !_compilation.Model!.ManyToOne;
        int n = segments.Count;
        var runs = new List<(Graph, int)>();
        void Add(SegmentKind kind, int steps, int times)
        {
            if (times > 0) runs.Add((SegmentExecutor(kind, steps, masked, batch.Batch).Executor.Graph, times));
        }
        if (withBackward)
        {
            Add(new SegmentKind(true, false, false), segments.Length, n - 1);
            Add(new SegmentKind(true, perStep, true), segments.Length, n - 1);
            Add(new SegmentKind(true, true, true), segments.Last, 1);
        }
        else
        {
            Add(new SegmentKind(false, perStep, false), segments.Length, n - 1);
            Add(new SegmentKind(false, true, false), segments.Last, 1);
        }
        return runs;
    }

    private float[][]? _boundaries;
    private float[][] _stateGradients = [], _nextStateGradients = [];

    /// <summary>The carried states at the start of every segment, [segment * carried + state], reused while the shapes hold.</summary>
    private float[][] Boundaries(TrainingBatch batch, Segments segments, int[] sizes)
    {
        int carried = sizes.Length;
        if (_boundaries is null || _boundaries.Length != segments.Count * carried || (carried > 0 && _boundaries[0].Length != sizes[0]))
        {
            _boundaries = new float[segments.Count * carried][];
            for (int i = 0; i < _boundaries.Length; i++) _boundaries[i] = new float[sizes[i % carried]];
        }
        FillInitialStates(batch, _boundaries.AsSpan(0, carried));
        return _boundaries;
    }

    /// <summary>The first segment's states: the batch's <see cref="TrainingBatch.InitialStates"/>, zero where it gives none.</summary>
    private void FillInitialStates(TrainingBatch batch, Span<float[]> states)
    {
        for (int j = 0; j < states.Length; j++)
        {
            if (batch.InitialStates?.TryGetValue(Carried()[j].Initial, out var given) == true)
            {
                if (given.Length != states[j].Length)
                    throw new RuntimeDataException($"initial state '{Carried()[j].Initial}' needs {states[j].Length} values but got {given.Length}");
                given.CopyTo(states[j], 0);
            }
            else Array.Clear(states[j]);
        }
    }

    /// <summary>Each carried state's size for this batch, [L·D,B,H] flattened, read off a planned segment graph.</summary>
    private int[] CarriedSizes(PlannedExecutor plan) =>
        plan.FinalStates.Select(f => (int)f.Parts.Sum(o => o.Node.Shape.ElementCount(plan.Executor.Batch))).ToArray();

    private double SegmentedStep(TrainingBatch batch, Segments segments, double learningRate)
    {
        bool masked = batch.Lengths is not null, perStep = !_compilation.Model!.ManyToOne;
        int n = segments.Count;
        float scale = LossScale(batch);
        var forward = SegmentExecutor(new SegmentKind(true, false, false), segments.Length, masked, batch.Batch);
        var sizes = CarriedSizes(forward);
        var boundaries = Boundaries(batch, segments, sizes);
        int carried = sizes.Length;

        SetParameters(forward);
        for (int s = 0; s < n - 1; s++)
        {
            FeedSegment(forward, batch, segments.Start(s), segments.Length, boundaries.AsSpan(s * carried, carried), null, scale);
            forward.Executor.Run();
            CopyFinalStates(forward, boundaries.AsSpan((s + 1) * carried, carried));
        }

        if (_stateGradients.Length != carried || (carried > 0 && _stateGradients[0].Length != sizes[0]))
        {
            _stateGradients = sizes.Select(size => new float[size]).ToArray();
            _nextStateGradients = sizes.Select(size => new float[size]).ToArray();
        }
        foreach (var g in _stateGradients) Array.Clear(g);
        foreach (var p in Parameters) Array.Clear(p.Grad);
        double loss = 0;
        for (int s = n - 1; s >= 0; s--)
        {
            var kind = new SegmentKind(true, perStep || s == n - 1, true);
            var plan = SegmentExecutor(kind, segments.Steps(s), masked, batch.Batch);
            SetParameters(plan);
            FeedSegment(plan, batch, segments.Start(s), segments.Steps(s), boundaries.AsSpan(s * carried, carried), _stateGradients, scale);
            plan.Executor.Run();
            if (s == n - 1) KeepSegmentFinalStates(plan);
            if (kind.Loss) loss += plan.Executor.Output(LossBuilder.LossOutput)[0];
            foreach (var (p, gradient) in plan.Gradients)
            {
                if (gradient is null) continue;
                var part = plan.Executor.Output(gradient);
                var total = p.Grad;
                for (int i = 0; i < total.Length; i++) total[i] += part[i];
            }
            for (int j = 0; j < carried; j++) ReadStateGradient(plan, j, _nextStateGradients[j]);
            (_stateGradients, _nextStateGradients) = (_nextStateGradients, _stateGradients);
        }

        float? clipped = Options.ClipNorm is { } norm ? GradientClipping.ClipByNorm(Parameters, norm) : null;
        CheckFinite(batch, loss, clipped);
        if (Options.ClipValue is { } value) GradientClipping.ClipByValue(Parameters, value);
        _optimizer.Step(Parameters, learningRate);
        CheckUpdatedWeights(learningRate);
        return loss;
    }

    /// <summary>The forward pass segment by segment, without dropout; the model's outputs go to <paramref name="outputs"/> when it is not empty.</summary>
    private double SegmentedLoss(TrainingBatch batch, Segments segments, Span<float> outputs)
    {
        bool masked = batch.Lengths is not null, perStep = !_compilation.Model!.ManyToOne;
        int n = segments.Count;
        float scale = LossScale(batch);
        var first = SegmentExecutor(new SegmentKind(false, perStep, false), segments.Length, masked, batch.Batch);
        var sizes = CarriedSizes(first);
        var states = sizes.Select(size => new float[size]).ToArray();
        FillInitialStates(batch, states);
        double loss = 0;
        int written = 0;
        for (int s = 0; s < n; s++)
        {
            var kind = new SegmentKind(false, perStep || s == n - 1, false);
            var plan = SegmentExecutor(kind, segments.Steps(s), masked, batch.Batch);
            SetParameters(plan);
            FeedSegment(plan, batch, segments.Start(s), segments.Steps(s), states, null, scale);
            plan.Executor.Run();
            if (kind.Loss) loss += plan.Executor.Output(LossBuilder.LossOutput)[0];
            if (!outputs.IsEmpty && kind.Loss)
                foreach (var o in plan.Executor.Graph.Outputs.Where(o => o.Name == ModelNames.Output).OrderBy(o => o.Index))
                {
                    var part = plan.Executor.Output(o);
                    part.CopyTo(outputs[written..]);
                    written += part.Length;
                }
            CopyFinalStates(plan, states);
            if (s == n - 1) KeepSegmentFinalStates(plan);
        }
        return loss;
    }

    /// <summary>The last segment's final states, copied before later segments run the same executor; <see cref="FinalStates"/> hands out copies.</summary>
    private float[][]? _segmentFinals;

    private void KeepSegmentFinalStates(PlannedExecutor plan)
    {
        var sizes = CarriedSizes(plan);
        if (_segmentFinals is null || !_segmentFinals.Select(f => f.Length).SequenceEqual(sizes))
            _segmentFinals = sizes.Select(size => new float[size]).ToArray();
        CopyFinalStates(plan, _segmentFinals);
        _lastRun = null;
        _finalStates = null;
    }

    private Dictionary<string, float[]> CopySegmentFinalStates() =>
        Carried().Select((c, j) => (c.Initial, Values: _segmentFinals![j].ToArray())).ToDictionary(s => s.Initial, s => s.Values, StringComparer.Ordinal);

    private void SetParameters(PlannedExecutor plan)
    {
        foreach (var p in Parameters)
            if (plan.Executor.HasParam(p.Name)) plan.Executor.SetParam(p.Name, p.Value);
    }

    /// <summary>The loss is a mean over every counted target value of the whole batch, as <see cref="Feed"/> makes it.</summary>
    private float LossScale(TrainingBatch batch)
    {
        var model = _compilation.Model!;
        int targetWidth = Options.Loss == LossKind.CrossEntropy ? 1 : model.Layers[^1].OutputSize;
        int counted = model.ManyToOne ? batch.Batch : batch.Lengths?.Sum() ?? batch.Steps * batch.Batch;
        return 1f / (counted * targetWidth);
    }

    private static void CopyFinalStates(PlannedExecutor plan, Span<float[]> into)
    {
        for (int j = 0; j < plan.FinalStates.Length; j++)
        {
            int offset = 0;
            foreach (var o in plan.FinalStates[j].Parts)
            {
                var part = plan.Executor.Output(o);
                part.CopyTo(into[j].AsSpan(offset));
                offset += part.Length;
            }
        }
    }

    /// <summary>Per backward segment executor: the output of dL/d(initial state) by carried state and stacked index, null where there is none.</summary>
    private readonly Dictionary<PlannedExecutor, GraphOutput?[][]> _stateGradientOutputs = new();

    /// <summary>dL/d(initial state) of carried state <paramref name="j"/>, stacked like the state; zero where the graph has no path to it.</summary>
    private void ReadStateGradient(PlannedExecutor plan, int j, float[] into)
    {
        if (!_stateGradientOutputs.TryGetValue(plan, out var outputs))
            _stateGradientOutputs[plan] = outputs = Carried().Select(c => Enumerable.Range(0, c.Stack)
                .Select(index => plan.Executor.Graph.Outputs.FirstOrDefault(o => o.Name == c.Gradient && o.Index == index)).ToArray()).ToArray();
        int slice = into.Length / outputs[j].Length;
        for (int index = 0; index < outputs[j].Length; index++)
        {
            var target = into.AsSpan(index * slice, slice);
            if (outputs[j][index] is { } output) plan.Executor.Output(output).CopyTo(target);
            else target.Clear();
        }
    }

    /// <summary>
    /// Feeds steps <paramref name="start"/>..start+steps of the batch to a segment graph: inputs, targets, masks, the
    /// segment's initial states, the gradient of its final states (backward graphs), the dropout masks and the loss scale.
    /// </summary>
    private void FeedSegment(PlannedExecutor plan, TrainingBatch batch, int start, int steps, ReadOnlySpan<float[]> states,
                             float[][]? stateGradients, float scale)
    {
        var executor = plan.Executor;
        var model = _compilation.Model!;
        int B = batch.Batch;
        int inputWidth = model.Input.IsTokens ? 1 : model.Input.Size;
        int targetWidth = Options.Loss == LossKind.CrossEntropy ? 1 : model.Layers[^1].OutputSize;
        for (int t = 0; t < steps; t++)
        {
            int g = start + t;
            if (executor.HasInput(model.Input.Name, t))
                executor.SetInput(model.Input.Name, t, batch.Inputs.AsSpan(g * B * inputWidth, B * inputWidth));
            if (executor.HasInput(LossBuilder.TargetInput, t))
                executor.SetInput(LossBuilder.TargetInput, t, batch.Targets.AsSpan(g * B * targetWidth, B * targetWidth));
            if (batch.Lengths is { } lengths && executor.HasInput(ModelNames.Mask, t))
            {
                for (int b = 0; b < B; b++) plan.StepMask[b] = g < lengths[b] ? 1f : 0f;
                executor.SetInput(ModelNames.Mask, t, plan.StepMask);
            }
        }
        if (executor.HasInput(LossBuilder.TargetInput, -1))
            executor.SetInput(LossBuilder.TargetInput, -1, batch.Targets.AsSpan(0, B * targetWidth));
        var carried = Carried();
        for (int j = 0; j < carried.Length; j++)
        {
            int slice = states[j].Length / carried[j].Stack;
            for (int index = 0; index < carried[j].Stack; index++)
            {
                if (executor.HasInput(carried[j].Initial, index))
                    executor.SetInput(carried[j].Initial, index, states[j].AsSpan(index * slice, slice));
                if (stateGradients is not null && executor.HasInput(carried[j].Seed, index))
                    executor.SetInput(carried[j].Seed, index, stateGradients[j].AsSpan(index * slice, slice));
            }
        }
        DrawKeyedDropoutMasks(plan, start);
        plan.Scalar[0] = scale;
        if (executor.HasInput(LossBuilder.ScaleInput, -1)) executor.SetInput(LossBuilder.ScaleInput, -1, plan.Scalar);
        plan.Scalar[0] = 1f;
        if (executor.HasInput("dloss", -1)) executor.SetInput("dloss", -1, plan.Scalar);
    }

    /// <summary>
    /// Fills every dropout mask input (0 with its probability p, else 1/(1-p)) from a generator keyed by the seed, the
    /// optimizer step, the mask's name and its step in the whole batch: a segment's forward and recompute passes get the
    /// same masks, and a per-sequence mask (step -1) is the same in every segment.
    /// </summary>
    private void DrawKeyedDropoutMasks(PlannedExecutor plan, int start)
    {
        foreach (var (node, mask) in plan.Dropout)
        {
            int step = node.Attributes.Index < 0 ? -1 : start + node.Attributes.Index;
            ulong state = Mix(Mix(Mix((ulong)Options.Seed) ^ (ulong)_optimizer.StepCount) ^ NameHash(node.Attributes.Name!)) ^ (ulong)(long)step;
            double p = node.Attributes.Scalar;
            float keep = (float)(1 / (1 - p));
            for (int i = 0; i < mask.Length; i++)
            {
                state += 0x9E3779B97F4A7C15UL;
                double u = (Mix(state) >> 11) * (1.0 / (1UL << 53));
                mask[i] = u < p ? 0f : keep;
            }
            plan.Executor.SetInput(node.Attributes.Name!, node.Attributes.Index, mask);
        }
    }

    /// <summary>SplitMix64's finalizer: a well-mixed 64-bit value of any input.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>FNV-1a of a name: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    private static ulong NameHash(string name)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (char c in name) hash = (hash ^ c) * 0x100000001B3UL;
        return hash;
    }
}
