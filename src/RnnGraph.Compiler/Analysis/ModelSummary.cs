using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Unrolling;

namespace RnnGraph.Compiler.Analysis;

/// <summary>
/// One row of a <see cref="ModelSummary"/>: a layer (<see cref="Depth"/> 0) or a part of one (1: a stacked layer's
/// direction, the merge of two directions, dropout, a condition). Output shapes use the symbols T and B.
/// </summary>
public sealed record SummaryRow(string Name, string Kind, string OutputShape, long Parameters, long FlopsPerStep, long FlopsPerSequence, long ActivationBytes)
{
    public int Depth { get; init; }
}

/// <summary>
/// A Keras-style table of a model's layers — parameters, forward FLOPs per step and per sequence, activation
/// memory — counted from the compiled graph itself, so it agrees with what the runtime executes.
/// </summary>
/// <remarks>
/// Every count comes from the optimized forward graph as training unrolls it (dropout masks included, no loss):
/// FLOPs per node by <see cref="OpCost"/>, attributed to rows by <see cref="NodeOrigin.Scope"/> (the layer),
/// <see cref="NodeOrigin.Layer"/> and <see cref="NodeOrigin.Direction"/>. FLOPs per step are the difference of the
/// graphs unrolled at T=2 and T=1 (one-time costs such as the head after many-to-one pooling cancel); FLOPs per
/// sequence are the graph at T. Activation bytes are the float32 outputs of every node of the graph at T and the
/// batch size, except parameters and literal constants, with no buffer reuse. Parameters are
/// <see cref="BoundModel.Parameters"/> grouped by <see cref="ModelParameter.Layer"/>.
/// </remarks>
public sealed class ModelSummary
{
    public const int BytesPerElement = 4;
    public const string DataType = "float32";

    private ModelSummary(int steps, int batch, bool oneToOne, IReadOnlyList<SummaryRow> rows, SummaryRow total)
    {
        Steps = steps;
        Batch = batch;
        OneToOne = oneToOne;
        Rows = rows;
        Total = total;
    }

    /// <summary>The T the per-sequence columns were counted at (a one-to-one model always runs one step).</summary>
    public int Steps { get; }
    public int Batch { get; }
    public bool OneToOne { get; }

    /// <summary>An encoder-decoder: T counts its source steps and its decoder steps alike.</summary>
    public bool EncoderDecoder { get; private init; }

    /// <summary>Layers in model order (input first, many-to-one pooling after its layer), each followed by its parts.</summary>
    public IReadOnlyList<SummaryRow> Rows { get; }

    /// <summary>The sums of the top-level rows.</summary>
    public SummaryRow Total { get; }

    public static ModelSummary Compute(Compilation compilation, int steps, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var model = compilation.Model ?? throw new InvalidOperationException("the spec has errors; check Diagnostics before summarizing");
        if (model.OneToOne) steps = 1;

        // Unfused: the activations are every forward value, as training keeps them for the backward pass; fusing the
        // forward graph alone would leave out the intermediates only the backward pass reads.
        var unrolled = compilation.Unroll(new UnrollOptions(steps, Training: true));
        var atSteps = compilation.Optimize(unrolled, fusion: false);
        var atOne = steps == 1 ? atSteps : Forward(compilation, 1);
        var atTwo = model.OneToOne ? atOne : steps == 2 ? atSteps : Forward(compilation, 2);

        var layout = new RowLayout(model);
        var sequenceFlops = Tally(atSteps, layout, n => OpCost.Flops(n, batch));
        var oneFlops = Tally(atOne, layout, n => OpCost.Flops(n, batch));
        var twoFlops = Tally(atTwo, layout, n => OpCost.Flops(n, batch));
        var bytes = Tally(atSteps, layout, n => n.Op.Name is "param" or "const" ? 0 : n.Shape.ElementCount(batch) * BytesPerElement);
        var parameters = ParameterCounts(model, unrolled, layout);

        long Get(Dictionary<RowKey, long> tally, RowKey key) => tally.GetValueOrDefault(key);
        var rows = new List<SummaryRow>();
        foreach (var (key, name, kind, shape) in layout.Rows(sequenceFlops.Keys.Concat(bytes.Keys).Concat(parameters.Keys)))
        {
            long perStep = model.OneToOne ? Get(sequenceFlops, key) : Get(twoFlops, key) - Get(oneFlops, key);
            rows.Add(new SummaryRow(name, kind, shape, Get(parameters, key), perStep, Get(sequenceFlops, key), Get(bytes, key))
            { Depth = key.Part is null ? 0 : 1 });
        }
        var top = rows.Where(r => r.Depth == 0).ToList();
        var total = new SummaryRow("total", "", "", top.Sum(r => r.Parameters), top.Sum(r => r.FlopsPerStep),
                                   top.Sum(r => r.FlopsPerSequence), top.Sum(r => r.ActivationBytes));
        return new ModelSummary(steps, batch, model.OneToOne, rows, total) { EncoderDecoder = model.IsEncoderDecoder };
    }

    private static Graph Forward(Compilation compilation, int steps) =>
        compilation.Optimize(compilation.Unroll(new UnrollOptions(steps, Training: true)), fusion: false);

    /// <summary>Sums <paramref name="measure"/> over the nodes of each row and of each layer (a part's nodes count in both).</summary>
    private static Dictionary<RowKey, long> Tally(Graph graph, RowLayout layout, Func<Node, long> measure)
    {
        var tally = new Dictionary<RowKey, long>();
        foreach (var node in graph.Nodes)
        {
            long value = measure(node);
            foreach (var key in layout.KeysOf(node.Origin))
                tally[key] = tally.GetValueOrDefault(key) + value;
        }
        return tally;
    }

    /// <summary>The model's parameters by layer; a part gets those whose param node it created.</summary>
    private static Dictionary<RowKey, long> ParameterCounts(BoundModel model, Graph unrolled, RowLayout layout)
    {
        var origins = unrolled.Params.ToDictionary(p => p.Attributes.Name!, p => p.Origin);
        var counts = new Dictionary<RowKey, long>();
        foreach (var parameter in model.Parameters)
        {
            long size = parameter.Dims.Aggregate(1L, (a, b) => a * b);
            var keys = origins.TryGetValue(parameter.Name, out var origin) ? layout.KeysOf(origin).Where(k => k.Part is not null) : [];
            foreach (var key in keys.Prepend(new RowKey(parameter.Layer, null)))
                counts[key] = counts.GetValueOrDefault(key) + size;
        }
        return counts;
    }
}

/// <summary>A row: a layer's name (the input's row has a reserved one) and, for a part, its name within the layer.</summary>
internal readonly record struct RowKey(string Layer, string? Part);
