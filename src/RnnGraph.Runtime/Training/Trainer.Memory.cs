using RnnGraph.Compiler;
using RnnGraph.Compiler.Analysis;
using RnnGraph.Compiler.Training;
using RnnGraph.Compiler.IR;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Training;

/// <summary>The resource guard of a trainer: a graph for a new batch shape is refused before it is unrolled when it would not fit.</summary>
public sealed partial class Trainer
{
    /// <summary>What a remedy says about the sequence length; set by whoever knows where it comes from (a run: the data).</summary>
    public string SequenceLengthHint { get; init; } = "the sequence length";

    /// <summary>
    /// Estimates a step on <paramref name="steps"/> × <paramref name="batch"/> (<see cref="MemoryEstimate"/>, the graph compiled
    /// at two and three steps by <paramref name="graphAt"/>) with the parameter set, its gradients, the optimizer's state and
    /// the executors already planned, and throws <see cref="MemoryLimitException"/> when it exceeds <see cref="MemoryLimit.Current"/>.
    /// </summary>
    private void CheckMemory(Func<int, Graph> graphAt, int steps, int batch, bool withBackward)
    {
        var limit = MemoryLimit.Current;
        var timings = _compilation.Timings;
        _compilation.Timings = null; // the small graphs are not the phases a benchmark reports; the estimate is one phase
        try
        {
            var estimate = CompileTimings.Measure(timings, "memory-estimate", () => MemoryEstimate.For(_compilation.Model!, graphAt, steps, batch,
                new MemoryEstimate.Holdings(1, withBackward ? 1 : 0, withBackward ? OptimizerStateCopies(_optimizer.Options) : 0, _optimizer.Name),
                PlannedBytes()));
            estimate.Check(limit, MemoryEstimate.SpecRemedy(_compilation, SequenceLengthHint));
        }
        finally
        {
            _compilation.Timings = timings;
        }
    }

    /// <summary>
    /// The estimate of a training step (or, without <paramref name="withBackward"/>, a loss) on <paramref name="steps"/> ×
    /// <paramref name="batch"/> with <paramref name="optimizer"/>, before any trainer or parameter exists: what a run or a
    /// benchmark checks first.
    /// </summary>
    public static MemoryEstimate EstimateStep(Compilation compilation, LossKind loss, int steps, int batch, IOptimizer optimizer, bool withBackward = true)
    {
        var model = compilation.Model ?? throw new InvalidOperationException("the spec has errors");
        if (model.OneToOne) steps = 1;
        return MemoryEstimate.For(model, s => BuildGraph(compilation, loss, s, null, false, withBackward, null), steps, batch,
            new MemoryEstimate.Holdings(1, withBackward ? 1 : 0, withBackward ? OptimizerStateCopies(optimizer.Options) : 0, optimizer.Name));
    }

    /// <summary>Bytes of the executors this trainer holds.</summary>
    private long PlannedBytes() =>
        _executors.Values.Concat(_segmentExecutors.Values).Concat(_probedExecutors.Values).Sum(p => p.Executor.PlannedBytes);

    /// <summary>Buffers the size of the weights the optimizer keeps (PyTorch's state: momentum, exp_avg, exp_avg_sq, ...).</summary>
    public static int OptimizerStateCopies(OptimizerOptions options) => options switch
    {
        SgdOptions sgd => sgd.Momentum > 0 ? 1 : 0,
        AdamOptions adam => adam.AmsGrad ? 3 : 2,
        AdamWOptions adamW => adamW.AmsGrad ? 3 : 2,
        RmsPropOptions rms => 1 + (rms.Momentum > 0 ? 1 : 0) + (rms.Centered ? 1 : 0),
        _ => 2,
    };
}
