using RnnGraph.Compiler;
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
public sealed class Trainer
{
    private readonly Compilation _compilation;
    private readonly IOptimizer _optimizer;
    private readonly Dictionary<(int Steps, bool Masked, bool Backward, bool States), Graph> _graphs = new();
    private readonly Dictionary<(int Steps, bool Masked, bool Backward, bool States, int Batch), Executor<float>> _executors = new();

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
    }

    public ParameterSet Parameters { get; }
    public TrainerOptions Options { get; }

    /// <summary>
    /// The recurrent states at the end of the last batch, by initial-state input name (<c>h0</c>, <c>c0</c>),
    /// ready to be passed as the next window's <see cref="TrainingBatch.InitialStates"/>.
    /// </summary>
    public IReadOnlyDictionary<string, float[]> FinalStates => _finalStates;

    private readonly Dictionary<string, float[]> _finalStates = new(StringComparer.Ordinal);

    /// <summary>Runs one training step and returns the loss before the update (as PyTorch's loop reports it).</summary>
    public double Step(TrainingBatch batch, double learningRate)
    {
        var executor = ExecutorFor(batch);
        foreach (var p in Parameters)
            if (executor.HasParam(p.Name)) executor.SetParam(p.Name, p.Value);
        Feed(executor, batch);
        executor.Run();

        foreach (var p in Parameters)
        {
            if (executor.Graph.Outputs.Any(o => o.Name == "grad." + p.Name)) executor.Output("grad." + p.Name).CopyTo(p.Grad);
            else Array.Clear(p.Grad);
        }
        KeepFinalStates(executor);
        if (Options.ClipNorm is { } norm) GradientClipping.ClipByNorm(Parameters, norm);
        if (Options.ClipValue is { } value) GradientClipping.ClipByValue(Parameters, value);
        _optimizer.Step(Parameters, learningRate);
        return executor.Output(LossBuilder.LossOutput)[0];
    }

    /// <summary>The loss on a batch without any update (validation): a forward-only graph.</summary>
    public double Loss(TrainingBatch batch)
    {
        var executor = ExecutorFor(batch, withBackward: false);
        foreach (var p in Parameters)
            if (executor.HasParam(p.Name)) executor.SetParam(p.Name, p.Value);
        Feed(executor, batch);
        executor.Run();
        KeepFinalStates(executor);
        return executor.Output(LossBuilder.LossOutput)[0];
    }

    private void KeepFinalStates(Executor<float> executor)
    {
        var model = _compilation.Model!;
        foreach (var layer in model.RnnLayers)
            for (int s = 0; s < layer.States.Count; s++)
            {
                string final = ModelNames.FinalState(model, layer, s);
                var parts = executor.Graph.Outputs.Where(o => o.Name == final).OrderBy(o => o.Index).ToList();
                var values = new float[parts.Sum(o => executor.Output(o).Length)];
                int offset = 0;
                foreach (var o in parts)
                {
                    executor.Output(o).CopyTo(values.AsSpan(offset));
                    offset += executor.Output(o).Length;
                }
                _finalStates[ModelNames.InitialState(model, layer, s)] = values;
            }
    }

    private Executor<float> ExecutorFor(TrainingBatch batch, bool withBackward = true)
    {
        bool masked = batch.Lengths is not null, states = batch.InitialStates is not null;
        var key = (batch.Steps, masked, withBackward, states, batch.Batch);
        if (_executors.TryGetValue(key, out var executor)) return executor;
        if (!_graphs.TryGetValue((batch.Steps, masked, withBackward, states), out var graph))
        {
            var given = states ? batch.InitialStates!.Keys.ToHashSet(StringComparer.Ordinal) : null;
            var forward = _compilation.Unroll(new UnrollOptions(batch.Steps, given, masked, Training: withBackward));
            var withLoss = LossBuilder.AddLoss(forward, Options.Loss);
            graph = _compilation.Optimize(withBackward
                ? AutodiffPass.Run(withLoss, name => name == LossBuilder.LossOutput, n => n.Op.Name == "param")
                : withLoss);
            _graphs[(batch.Steps, masked, withBackward, states)] = graph;
        }
        executor = new Executor<float>(graph, batch.Batch);
        _executors[key] = executor;
        return executor;
    }

    /// <summary>
    /// Fills every dropout mask input: 0 with its probability p, else 1/(1-p). The generator is seeded by the
    /// trainer's seed and the optimizer step, so a resumed run draws the masks an uninterrupted one would.
    /// </summary>
    private void DrawDropoutMasks(Executor<float> executor)
    {
        var random = new Random(unchecked(Options.Seed * 1_000_003 + (int)_optimizer.StepCount));
        foreach (var node in executor.InputNodes.Where(n => n.Attributes.I0 == (int)InputKind.Dropout).OrderBy(n => n.Attributes.Name, StringComparer.Ordinal).ThenBy(n => n.Attributes.Index))
        {
            double p = node.Attributes.Scalar;
            float keep = (float)(1 / (1 - p));
            var mask = new float[node.Shape.ElementCount(executor.Batch)];
            for (int i = 0; i < mask.Length; i++) mask[i] = random.NextDouble() < p ? 0f : keep;
            executor.SetInput(node.Attributes.Name!, node.Attributes.Index, mask);
        }
    }

    /// <summary>L·D for an initial-state input name: how many [B,H] slices it stacks.</summary>
    private int StackSize(string initialState)
    {
        var model = _compilation.Model!;
        foreach (var layer in model.RnnLayers)
            for (int s = 0; s < layer.States.Count; s++)
                if (ModelNames.InitialState(model, layer, s) == initialState) return layer.NumLayers * layer.Directions;
        throw new ArgumentException($"the model has no initial state '{initialState}'");
    }

    private void Feed(Executor<float> executor, TrainingBatch batch)
    {
        var model = _compilation.Model!;
        int T = batch.Steps, B = batch.Batch;
        int inputWidth = model.Input.IsTokens ? 1 : model.Input.Size;
        int targetWidth = Options.Loss == LossKind.CrossEntropy ? 1 : model.Layers[^1].OutputSize;
        for (int t = 0; t < T; t++)
        {
            executor.SetInput(model.Input.Name, t, batch.Inputs.AsSpan(t * B * inputWidth, B * inputWidth));
            if (executor.HasInput(LossBuilder.TargetInput, t))
                executor.SetInput(LossBuilder.TargetInput, t, batch.Targets.AsSpan(t * B * targetWidth, B * targetWidth));
        }
        if (batch.InitialStates is { } initial)
        {
            foreach (var (name, values) in initial)
            {
                int k = 0;
                for (int offset = 0; executor.HasInput(name, k); k++, offset += values.Length / StackSize(name))
                    executor.SetInput(name, k, values.AsSpan(offset, values.Length / StackSize(name)));
            }
        }
        DrawDropoutMasks(executor);
        int counted = T * B;
        if (batch.Lengths is { } lengths)
        {
            var mask = new float[B];
            for (int t = 0; t < T; t++)
            {
                for (int b = 0; b < B; b++) mask[b] = t < lengths[b] ? 1f : 0f;
                if (executor.HasInput("mask", t)) executor.SetInput("mask", t, mask);
            }
            counted = lengths.Sum();
        }
        // The loss is a mean over every counted target value, as PyTorch's reductions are.
        executor.SetInput(LossBuilder.ScaleInput, -1, [1f / (counted * targetWidth)]);
        if (executor.HasInput("dloss", -1)) executor.SetInput("dloss", -1, [1f]);
    }
}
