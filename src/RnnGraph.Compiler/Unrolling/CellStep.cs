using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Unrolling;

/// <summary>One step of a bound cell instantiated as IR nodes: every definition evaluated once, in dependency order.</summary>
internal sealed class CellStep
{
    private readonly GraphBuilder _b;
    private readonly BoundCell _cell;
    private readonly IReadOnlyDictionary<string, Node> _params;
    private readonly Node _x;
    private readonly Dictionary<string, Node> _previous = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Node> _values = new(StringComparer.Ordinal);
    private string _targets = "";
    private readonly Dictionary<BoundExpr, Node> _chunkSources = new(ReferenceEqualityComparer.Instance);
    private readonly Node? _recurrentMask;

    public CellStep(GraphBuilder b, BoundCell cell, IReadOnlyDictionary<string, Node> parameters, Node x, Node[] previousStates, NodeOrigin origin,
                    Node? recurrentMask = null)
    {
        _recurrentMask = recurrentMask;
        _b = b;
        _cell = cell;
        _params = parameters;
        _x = x;
        for (int s = 0; s < cell.States.Count; s++) _previous[cell.States[s]] = previousStates[s];
        foreach (var definition in cell.Definitions)
        {
            b.CurrentOrigin = origin with { Location = definition.Location, Label = definition.Name };
            _targets = definition.Targets;
            _values[definition.Name] = Evaluate(definition.Value);
        }
        Output = _values[cell.Output];
        NewStates = cell.States.Select(s => _values[s]).ToArray();
    }

    public Node Output { get; }
    public Node[] NewStates { get; }

    /// <summary>The expression a tuple assignment splits is labelled with all its targets ("i, f, g, o").</summary>
    private Node EvaluateChunkSource(BoundExpr source)
    {
        // Every piece of one chunk shares its source: evaluated again, it would only find the same nodes.
        if (_chunkSources.TryGetValue(source, out var evaluated)) return evaluated;
        var origin = _b.CurrentOrigin;
        _b.CurrentOrigin = origin with { Label = _targets };
        var node = Evaluate(source);
        _b.CurrentOrigin = origin;
        _chunkSources[source] = node;
        return node;
    }

    /// <summary>The first state's previous value entering a matrix product carries the recurrent dropout mask, if any.</summary>
    private Node MaskedRecurrence(BoundExpr vector) =>
        _recurrentMask is not null && vector is BoundPreviousState s && s.State == _cell.States[0]
            ? _b.Mul(Evaluate(vector), _recurrentMask)
            : Evaluate(vector);

    private Node Evaluate(BoundExpr e) => e switch
    {
        BoundParamRef p => _params[p.Param],
        BoundInputRef => _x,
        BoundPreviousState s => _previous[s.State],
        BoundLocalRef l => _values[l.Name],
        BoundConstant c => _b.Const(c.Value),
        BoundZero z => _b.Zeros(new Shape(Shape.Batch, z.Size)),
        BoundElementwise w => _b.Apply(w.Op, w.Operands.Select(Evaluate).ToArray()),
        BoundMatrix m => m.IsWhole ? _params[m.Param] : _b.SliceRows(_params[m.Param], m.RowStart, m.Rows),
        BoundMatVec m => _b.MatMul(MaskedRecurrence(m.Vector), Evaluate(m.Matrix), false, true),
        BoundChunkPart c => _b.SliceLast(EvaluateChunkSource(c.Source), c.Index * c.Size, c.Size),
        BoundConcat c => _b.ConcatLast(c.Parts.Select(Evaluate).ToArray()),
        _ => throw new InvalidOperationException($"cannot evaluate {e.GetType().Name}"),
    };
}
