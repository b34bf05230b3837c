using System.Globalization;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Dsl.Spec;

namespace RnnGraph.Runtime.Execution;

/// <summary>One part of a <see cref="MemoryEstimate"/>: what it is, its bytes, and the sizes that drive it.</summary>
public sealed record MemoryPart(string Name, long Bytes, string Detail);

/// <summary>
/// The memory a model will need for T steps and a batch of B, worked out before anything large is allocated or
/// unrolled: the parameters and the copies of them training keeps (gradients, optimizer state), the executor's planned
/// buffers (<see cref="BufferPlan"/>) and the compiled graph's nodes. The graph is compiled at 8 and 16 steps at most
/// (shapes are symbolic, so that is cheap at any size) and its per-step growth extrapolated to T, so a spec that would
/// need terabytes is refused in milliseconds instead of failing in an allocation.
/// </summary>
public sealed class MemoryEstimate
{
    /// <summary>
    /// Bytes the compiler holds per node of the graph it produces (the node, its shape, and the intermediate graphs of the
    /// passes): about 3 kB, from <c>rnngraph bench --cell lstm --input 8 --hidden 8 --batch 1 --steps 2000</c> (peak RSS
    /// 214 MB, some 60 MB of it the runtime's own, for a graph of 52,022 nodes).
    /// </summary>
    public const long BytesPerGraphNode = 3000;

    /// <summary>Up to this many steps the graph itself is measured; beyond, the graphs at half as many and this many are extrapolated.</summary>
    public const int ExactSteps = 16;

    private MemoryEstimate(IReadOnlyList<MemoryPart> parts) => Parts = parts;

    /// <summary>The parts with any bytes, in the order they are reported.</summary>
    public IReadOnlyList<MemoryPart> Parts { get; }

    public long TotalBytes => Parts.Sum(p => p.Bytes);

    /// <summary>Which copies of the weights live outside the executor's graph, as counts of the whole parameter set.</summary>
    /// <param name="Parameters">Copies of the weights (the trainer's parameter set, the eval's weights).</param>
    /// <param name="Gradients">Copies the size of the weights for gradients (the trainer's gradients).</param>
    /// <param name="OptimizerState">Copies for the optimizer's state (Adam: 2).</param>
    /// <param name="OptimizerName">The optimizer, named in the report.</param>
    public sealed record Holdings(int Parameters, int Gradients = 0, int OptimizerState = 0, string? OptimizerName = null);

    /// <summary>
    /// The estimate for running the graph <paramref name="graphAt"/> builds at <paramref name="steps"/> steps on a batch
    /// of <paramref name="batch"/>, plus <paramref name="holdings"/>. <paramref name="graphAt"/> is called with at most
    /// <see cref="ExactSteps"/> steps; <paramref name="otherBytes"/> is memory already planned elsewhere (executors for other batch shapes).
    /// </summary>
    public static MemoryEstimate For(BoundModel model, Func<int, Graph> graphAt, int steps, int batch, Holdings holdings, long otherBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var gradientNames = model.Parameters.Select(p => "grad." + p.Name).ToHashSet(StringComparer.Ordinal);
        GraphMeasure at, perStep = default;
        if (steps <= ExactSteps) at = GraphMeasure.Of(graphAt(steps), gradientNames);
        else
        {
            // Memory planning makes the first steps irregular; from 8 steps on each step adds about the same.
            var half = GraphMeasure.Of(graphAt(ExactSteps / 2), gradientNames);
            at = GraphMeasure.Of(graphAt(ExactSteps), gradientNames);
            perStep = at.Minus(half).Over(ExactSteps / 2);
        }
        long extra = steps - Math.Min(steps, ExactSteps);
        long perSequence = Saturating(at.PerSequence, extra, perStep.PerSequence);
        long shared = Saturating(at.Shared, extra, perStep.Shared);
        long nodes = Saturating(at.Nodes, extra, perStep.Nodes);

        long weights = model.Parameters.Sum(p => p.Dims.Aggregate(1L, (a, d) => a * d));
        long weightBytes = weights * sizeof(float);
        var parts = new List<MemoryPart>();
        int parameterCopies = holdings.Parameters + (at.ParameterBytes > 0 ? 1 : 0);
        parts.Add(new MemoryPart("parameters", Saturating(0, parameterCopies, weightBytes), ParameterDetail(model, weights, parameterCopies)));
        if (at.PackedBytes > 0) parts.Add(new MemoryPart("packed weights", at.PackedBytes, "a copy of each recurrent weight, packed for the products"));
        int copies = holdings.Gradients + holdings.OptimizerState;
        long gradientBytes = Saturating(at.GradientBytes, copies, weightBytes);
        if (gradientBytes > 0)
        {
            string what = holdings.OptimizerState > 0 ? $"gradients and {holdings.OptimizerName ?? "optimizer"} state" : "gradients";
            int total = copies + (at.GradientBytes > 0 ? 1 : 0);
            parts.Add(new MemoryPart(what, gradientBytes, $"{total} {(total == 1 ? "copy" : "copies")} of the weights"));
        }
        string driven = steps <= ExactSteps || perStep.PerSequence == 0
            ? $"B={batch} × {MemoryLimit.Format(at.PerSequence)} per sequence"
            : $"T={steps} × B={batch} × {MemoryLimit.Format(perStep.PerSequence)} per step and sequence";
        parts.Add(new MemoryPart("activations", Saturating(0, batch, perSequence), driven));
        parts.Add(new MemoryPart("intermediates the size of weights", shared, "gradient terms and transposes of the weights in the graph"));
        parts.Add(new MemoryPart("graph", Saturating(0, nodes, BytesPerGraphNode), $"about {nodes.ToString("N0", CultureInfo.InvariantCulture)} nodes"));
        if (otherBytes > 0) parts.Add(new MemoryPart("executors for other batch shapes", otherBytes, "already planned"));
        return new MemoryEstimate(parts.Where(p => p.Bytes > 0).ToList());
    }

    /// <summary>
    /// Throws <see cref="MemoryLimitException"/> when the estimate exceeds <paramref name="limit"/>, with the estimate,
    /// the parts that make up at least 1% of it and the sizes that drive them, the limit, and <paramref name="remedy"/>.
    /// </summary>
    public void Check(MemoryLimit limit, string remedy)
    {
        long total = TotalBytes;
        if (total <= limit.Bytes) return;
        var shown = Parts.Where(p => p.Bytes * 100 >= total).Select(p => $"{p.Name} {MemoryLimit.Format(p.Bytes)}: {p.Detail}");
        throw new MemoryLimitException($"this model needs about {MemoryLimit.Format(total)} ({string.Join("; ", shown)}), " +
                                       $"above the memory limit of {MemoryLimit.Format(limit.Bytes)} ({limit.Source}); {remedy}");
    }

    /// <summary>How to raise the limit, the end of every remedy.</summary>
    public static string RaiseLimit => $"raise the limit with {MemoryLimit.Option} or {MemoryLimit.EnvironmentVariable}";

    /// <summary>
    /// The remedy for a spec: lower the size of the layer with the most weights and the batch size, located in the spec
    /// where they are written, or <paramref name="length"/>; or raise the limit.
    /// </summary>
    /// <param name="batchInSpec">The batch size is the spec's <c>training.batch_size</c> (a run), not the inputs' (eval).</param>
    public static string SpecRemedy(Compilation compilation, string length, bool batchInSpec = true)
    {
        var model = compilation.Model!;
        var sizes = new List<string>();
        var largest = model.Parameters.GroupBy(p => p.Layer)
            .OrderByDescending(g => g.Sum(p => p.Dims.Aggregate(1L, (a, d) => a * d))).Select(g => g.Key).FirstOrDefault();
        var layer = model.Layers.FirstOrDefault(l => l.Name == largest) ?? model.Layers.OfType<BoundRnnLayer>().FirstOrDefault();
        var spec = layer is null ? null : compilation.Document?.Model?.Layers.FirstOrDefault(l => l.Location == layer.Location);
        switch (spec)
        {
            case RnnLayerSpec rnn: sizes.Add($"hidden ({rnn.Hidden.Location})"); break;
            case DenseLayerSpec dense: sizes.Add($"units ({dense.Units.Location})"); break;
            case EmbedLayerSpec embed: sizes.Add($"dim ({embed.Dim.Location})"); break;
        }
        if (batchInSpec) sizes.Add(compilation.Document?.Training?.BatchSize is { } b ? $"batch_size ({b.Location})" : "training.batch_size (default 32)");
        return $"lower {string.Join(", ", sizes)} or {length}, or {RaiseLimit}";
    }

    private static string ParameterDetail(BoundModel model, long weights, int copies)
    {
        var largest = model.Parameters.OrderByDescending(p => p.Dims.Aggregate(1L, (a, d) => a * d)).Take(2)
            .Select(p => $"{p.Name} [{string.Join(",", p.Dims)}]");
        string count = weights.ToString("N0", CultureInfo.InvariantCulture);
        return $"{(copies == 1 ? "" : $"{copies} copies of ")}{count} weights, the largest {string.Join(", ", largest)}";
    }

    /// <summary><paramref name="start"/> + <paramref name="count"/> × <paramref name="each"/>, held at long.MaxValue.</summary>
    private static long Saturating(long start, long count, long each)
    {
        double exact = start + (double)count * each;
        return exact >= long.MaxValue ? long.MaxValue : start + count * each;
    }

    /// <summary>
    /// What one compiled graph needs: its planned float32 buffers apart from the weights and their gradients, split into
    /// the part that grows with the batch (per sequence) and the part that does not (shared), the weights and weight
    /// gradients among its buffers, and its node count. The split comes from planning the graph at B=1 and B=2.
    /// </summary>
    private readonly record struct GraphMeasure(long PerSequence, long Shared, long ParameterBytes, long GradientBytes, long Nodes, long PackedBytes = 0)
    {
        public static GraphMeasure Of(Graph graph, HashSet<string> gradientNames)
        {
            long parameters = graph.Nodes.Where(n => n.Op.Name == "param").Sum(n => n.Shape.ElementCount(1)) * sizeof(float);
            long gradients = graph.Outputs.Where(o => gradientNames.Contains(o.Name)).Select(o => o.Node).Distinct()
                .Sum(n => n.Shape.ElementCount(1)) * sizeof(float);
            long one = Math.Max(0, BufferPlan.PlannedBytes<float>(graph, 1, share: true) - parameters - gradients);
            long two = Math.Max(0, BufferPlan.PlannedBytes<float>(graph, 2, share: true) - parameters - gradients);
            long perSequence = Math.Max(0, two - one);
            // A weight that is the right operand of two or more products is packed once per run into a copy of its own (PackedOperand).
            long packed = graph.Nodes.Where(n => n.Op.Name == "matmul" && n.Inputs[1].Op.Name == "param").GroupBy(n => n.Inputs[1])
                .Where(g => g.Count() >= 2).Sum(g => g.Key.Shape.ElementCount(1)) * sizeof(float);
            return new GraphMeasure(perSequence, Math.Max(0, one - perSequence), parameters, gradients, graph.Nodes.Count, packed);
        }

        /// <summary>This growth spread over <paramref name="steps"/> steps.</summary>
        public GraphMeasure Over(int steps) => new(PerSequence / steps, Shared / steps, 0, 0, Nodes / steps);

        /// <summary>The growth from <paramref name="other"/> to this one, never negative.</summary>
        public GraphMeasure Minus(GraphMeasure other) => new(Math.Max(0, PerSequence - other.PerSequence), Math.Max(0, Shared - other.Shared),
            0, 0, Math.Max(0, Nodes - other.Nodes));
    }
}
