using System.Numerics;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Evaluation;

/// <summary>
/// The <c>rnngraph eval</c> CONTRACT as a library call: checks the weights and inputs against the spec,
/// compiles the graph for the given sequence length (with a backward pass when any upstream gradient
/// is given), runs it and returns <c>y</c>, the final states and the gradients under their CONTRACT names.
/// </summary>
public sealed class ModelEvaluator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly BoundModel _model;
    private readonly EvalSignature _io;
    private readonly Graph _graph;
    private readonly Executor<T> _executor;

    /// <summary>Validates and loads everything and plans the graph; <see cref="Run"/> may then be called repeatedly.</summary>
    public ModelEvaluator(Compilation compilation, IReadOnlyDictionary<string, HostArray<T>> weights, IReadOnlyDictionary<string, HostArray<T>> inputs)
        : this(compilation, weights, inputs, allowConditionedStates: false)
    {
    }

    /// <param name="allowConditionedStates">
    /// For step-by-step sampling of a <c>condition: state</c> model: the conditioned layer's initial states may be
    /// given (carried from the previous step) and then replace the condition's. Not part of the eval CONTRACT.
    /// </param>
    internal ModelEvaluator(Compilation compilation, IReadOnlyDictionary<string, HostArray<T>> weights, IReadOnlyDictionary<string, HostArray<T>> inputs,
                            bool allowConditionedStates)
    {
        _model = compilation.Model ?? throw new InvalidOperationException("the spec has errors");
        _io = EvalSignature.Create(_model, inputs, allowConditionedStates);
        var io = _io;
        Graph Build(int steps)
        {
            var forward = compilation.Unroll(new UnrollOptions(steps, io.GivenInitialStates, Masked: io.Lengths is not null)
            {
                TargetSteps = io.TargetSteps,
                SampledTeacherForcing = io.SampledTeacherForcing,
            });
            return compilation.Optimize(io.Seeds.Count > 0 ? compilation.Backward(forward, io.Seeds.Contains) : forward);
        }
        // Refused before a long sequence is unrolled or a large model's buffers are allocated; a short graph is built once.
        Graph? built = _io.Steps <= MemoryEstimate.ExactSteps ? Build(_io.Steps) : null;
        MemoryEstimate.For(_model, steps => steps == io.Steps && built is not null ? built : Build(steps), _io.Steps, _io.Batch, new MemoryEstimate.Holdings(Parameters: 1))
            .Check(MemoryLimit.Current, MemoryEstimate.SpecRemedy(compilation, "the batch or length of the inputs", batchInSpec: false));
        _graph = built ?? Build(_io.Steps);
        _executor = new Executor<T>(_graph, _io.Batch);
        LoadWeights(_model, _executor, weights);
        FeedInputs(_model, _executor, _io, inputs);
    }

    public static Dictionary<string, HostArray<T>> Evaluate(Compilation compilation,
        IReadOnlyDictionary<string, HostArray<T>> weights, IReadOnlyDictionary<string, HostArray<T>> inputs) =>
        new ModelEvaluator<T>(compilation, weights, inputs).Run();

    public Dictionary<string, HostArray<T>> Run()
    {
        _executor.Run();
        return CollectOutputs(_model, _graph, _executor, _io);
    }

    /// <summary>Replaces one weight tensor (same shape) before the next run.</summary>
    public void SetWeight(string name, T[] data)
    {
        if (_executor.HasParam(name)) _executor.SetParam(name, data);
    }

    /// <summary>Replaces the inputs (same names and shapes as at construction) before the next run.</summary>
    public void SetInputs(IReadOnlyDictionary<string, HostArray<T>> inputs) => FeedInputs(_model, _executor, _io, inputs);

    private static void LoadWeights(BoundModel model, Executor<T> executor, IReadOnlyDictionary<string, HostArray<T>> weights)
    {
        var expected = model.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var name in weights.Keys.Order(StringComparer.Ordinal))
        {
            if (!expected.ContainsKey(name))
                throw new EvalException($"weights: unexpected tensor '{name}'; the spec's parameters are {string.Join(", ", expected.Keys)}");
        }
        foreach (var p in model.Parameters)
        {
            if (!weights.TryGetValue(p.Name, out var w))
                throw new EvalException($"weights: missing tensor '{p.Name}' of shape [{string.Join(",", p.Dims)}]");
            if (!w.Shape.SequenceEqual(p.Dims))
                throw new EvalException($"weights: tensor '{p.Name}' has shape {w.ShapeText} but the spec needs [{string.Join(",", p.Dims)}]");
            // A parameter can be absent from the optimized graph (e.g. unused); it is still validated above.
            if (executor.HasParam(p.Name)) executor.SetParam(p.Name, w.Data);
        }
    }

    private static void FeedInputs(BoundModel model, Executor<T> executor, EvalSignature io, IReadOnlyDictionary<string, HostArray<T>> inputs)
    {
        if (io.SequenceInput is { } sequenceInput)
        {
            var step = new T[io.Batch * Math.Max(io.InputLayout.Features, 1)];
            var x = inputs[sequenceInput].Data;
            for (int t = 0; t < io.Steps; t++)
            {
                if (!executor.HasInput(sequenceInput, t)) continue;
                io.InputLayout.Gather<T>(x, t, step);
                executor.SetInput(sequenceInput, t, step);
            }
        }
        foreach (var name in io.WholeInputs)
            if (executor.HasInput(name, -1)) executor.SetInput(name, -1, inputs[name].Data);
        foreach (var (name, layout) in io.DecoderInputs)
        {
            var data = inputs[name].Data;
            var step = new T[io.Batch];
            for (int t = 0; t < layout.Steps; t++)
            {
                if (!executor.HasInput(name, t)) continue;
                layout.Gather<T>(data, t, step);
                executor.SetInput(name, t, step);
            }
        }
        if (io.Lengths is { } lengths)
        {
            var mask = new T[io.Batch];
            for (int t = 0; t < io.Steps; t++)
            {
                if (!executor.HasInput(ModelNames.Mask, t)) continue;
                for (int b = 0; b < io.Batch; b++) mask[b] = t < lengths[b] ? T.One : T.Zero;
                executor.SetInput(ModelNames.Mask, t, mask);
            }
        }
        foreach (var (name, stack) in io.StackedInputs)
        {
            var data = inputs[name].Data;
            int slice = data.Length / stack;
            for (int k = 0; k < stack; k++)
                if (executor.HasInput(name, k)) executor.SetInput(name, k, data.AsSpan(k * slice, slice));
        }
        foreach (var name in io.WholeSeeds)
            if (executor.HasInput(name, -1)) executor.SetInput(name, -1, inputs[name].Data);
        foreach (var (name, layout) in io.SequenceSeeds)
        {
            var data = inputs[name].Data;
            var seedStep = new T[io.Batch * layout.Features];
            for (int t = 0; t < layout.Steps; t++)
            {
                if (!executor.HasInput(name, t)) continue;
                layout.Gather<T>(data, t, seedStep);
                executor.SetInput(name, t, seedStep);
            }
        }
    }

    private static Dictionary<string, HostArray<T>> CollectOutputs(BoundModel model, Graph graph, Executor<T> executor, EvalSignature io)
    {
        var result = new Dictionary<string, HostArray<T>>(StringComparer.Ordinal);
        foreach (var group in graph.Outputs.GroupBy(o => o.Name))
        {
            string name = group.Key;
            var first = group.First();
            if (first.Index < 0)
            {
                var dims = first.Node.Shape.Resolve(io.Batch);
                result[name] = new HostArray<T>(dims, executor.Output(first).ToArray());
            }
            else if (io.SequenceOutputs.TryGetValue(name, out var layout))
            {
                var data = new T[layout.Steps * io.Batch * Math.Max(layout.Features, 1)];
                foreach (var o in group) layout.Scatter(executor.Output(o), o.Index, data);
                result[name] = new HostArray<T>(layout.Shape, data);
            }
            else
            {
                var parts = group.OrderBy(o => o.Index).ToList();
                var stepDims = parts[0].Node.Shape.Resolve(io.Batch);
                result[name] = new HostArray<T>([parts.Count, .. stepDims], parts.SelectMany(o => executor.Output(o).ToArray()).ToArray());
            }
        }
        return result;
    }
}
