using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Equations;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Binding;

/// <summary>
/// Checks a cell's equations for concrete hidden and input sizes: names resolve, shapes agree,
/// every state is assigned once, no cycle inside a step. Equations are definitions, not statements:
/// their order does not matter, and they are bound in dependency order.
/// </summary>
public sealed partial class CellBinder
{
    private static readonly string[] UnaryFunctions = ["tanh", "sigmoid", "relu", "exp", "log", "softmax"];
    private static readonly string[] AllFunctions = [.. UnaryFunctions, "chunk", "concat"];

    private readonly CellSpec _cell;
    private readonly SourceText _source;
    private readonly DiagnosticBag _bag;
    private readonly int _hidden;
    private readonly int _input;
    private readonly Dictionary<string, BoundParam> _params = new(StringComparer.Ordinal);
    private readonly HashSet<string> _droppedParams = new(StringComparer.Ordinal);
    // Declared, but a dimension was reported as invalid: uses bind to errors without a second message.
    private readonly HashSet<string> _invalidParams = new(StringComparer.Ordinal);
    private readonly HashSet<string> _states;
    private readonly Dictionary<string, (Assignment Assignment, int Index)> _equations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BoundExpr> _bound = new(StringComparer.Ordinal);
    private readonly List<string> _inProgress = new();
    private readonly Dictionary<Assignment, BoundExpr> _chunkSources = new();
    private readonly List<BoundDefinition> _ordered = new();

    private CellBinder(CellSpec cell, int hidden, int input, DiagnosticBag bag)
    {
        _cell = cell;
        _source = cell.Location.Source;
        _bag = bag;
        _hidden = hidden;
        _input = input;
        _states = cell.States.Select(s => s.Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Binds <paramref name="cell"/>; returns null when it reported errors.</summary>
    public static BoundCell? Bind(CellSpec cell, int hidden, int input, bool bias, DiagnosticBag bag)
    {
        int errorsBefore = bag.Count(d => d.IsError);
        var binder = new CellBinder(cell, hidden, input, bag);
        var result = binder.Run(bias);
        return bag.Count(d => d.IsError) > errorsBefore ? null : result;
    }

    private TextLocation At(TextSpan span) => new(_source, span);

    private BoundCell? Run(bool bias)
    {
        BindParams(bias);
        CollectEquations();
        foreach (var state in _cell.States)
        {
            if (!_equations.ContainsKey(state.Value)) _bag.ReportStateNeverAssigned(state.Location, state.Value);
        }
        foreach (var assignment in _cell.Equations.Assignments)
            foreach (var target in assignment.Targets)
                if (target.Name != "_" && _equations.TryGetValue(target.Name, out var eq) && eq.Assignment == assignment)
                    Define(target.Name, target.Span);

        foreach (var state in _cell.States)
        {
            if (_bound.TryGetValue(state.Value, out var value) && value.Size >= 0 && (value.Size != _hidden || value is BoundMatrix))
            {
                var assignment = _equations[state.Value].Assignment;
                _bag.ReportStateSize(At(assignment.Value.Span), state.Value, _hidden, ShapeText(value));
            }
        }

        string output = _cell.Output.Value;
        if (!_bound.TryGetValue(output, out var outputValue) || outputValue is BoundMatrix)
        {
            _bag.ReportUndefinedOutput(_cell.Output.Location, output);
            return null;
        }
        var paramsInOrder = _cell.Params.Where(p => _params.ContainsKey(p.Name.Value)).Select(p => _params[p.Name.Value]).ToList();
        return new BoundCell(_cell.Name.Value, _hidden, _input, paramsInOrder, _cell.States.Select(s => s.Value).ToList(),
                             _ordered, output, Math.Max(outputValue.Size, 0));
    }

    private void BindParams(bool bias)
    {
        foreach (var p in _cell.Params)
        {
            var dims = p.Shape.Select(d => DimensionEvaluator.Evaluate(d, _hidden, _input, _source, _bag)).ToList();
            if (dims.Count is < 1 or > 2)
            {
                _bag.ReportBadDimension(p.Location, $"parameter '{p.Name.Value}' must be a vector [n] or a matrix [m, n], got {dims.Count} dimensions");
                _invalidParams.Add(p.Name.Value);
                continue;
            }
            if (dims.Any(d => d is null))
            {
                _invalidParams.Add(p.Name.Value);
                continue;
            }
            if (!bias && p.Name.Value.StartsWith("bias", StringComparison.Ordinal))
            {
                _droppedParams.Add(p.Name.Value);
                continue;
            }
            _params[p.Name.Value] = new BoundParam(p.Name.Value, dims.Select(d => d!.Value).ToArray());
        }
    }

    private void CollectEquations()
    {
        foreach (var assignment in _cell.Equations.Assignments)
        {
            if (assignment.Targets.Count > 1 && !IsChunkCall(assignment.Value))
            {
                _bag.ReportTupleNeedsChunk(At(assignment.Value.Span));
            }
            for (int i = 0; i < assignment.Targets.Count; i++)
            {
                var target = assignment.Targets[i];
                if (target.Name == "_") continue;
                if (target.Name == "x") { _bag.ReportAssignToReadOnly(At(target.Span), "x", "the step input"); continue; }
                if (_params.ContainsKey(target.Name) || _droppedParams.Contains(target.Name) || _invalidParams.Contains(target.Name))
                {
                    _bag.ReportAssignToReadOnly(At(target.Span), target.Name, "a parameter");
                    continue;
                }
                if (!_equations.TryAdd(target.Name, (assignment, i))) _bag.ReportDuplicateDefinition(At(target.Span), target.Name);
            }
        }
    }

    private static bool IsChunkCall(Expr e) => e is CallExpr { Function.Name: "chunk" };

    /// <summary>Binds the equation that defines <paramref name="name"/> (once), detecting cycles.</summary>
    private BoundExpr Define(string name, TextSpan referenceSpan)
    {
        if (_bound.TryGetValue(name, out var done)) return done;
        int cycleStart = _inProgress.IndexOf(name);
        if (cycleStart >= 0)
        {
            var cycle = _inProgress.Skip(cycleStart).Append(name);
            _bag.ReportCycle(At(referenceSpan), cycle);
            return new BoundError(referenceSpan);
        }

        var (assignment, index) = _equations[name];
        _inProgress.Add(name);
        BoundExpr value;
        if (assignment.Targets.Count > 1 || IsChunkCall(assignment.Value))
            value = BindChunkPiece(assignment, index);
        else
            value = BindExpr(assignment.Value);
        _inProgress.RemoveAt(_inProgress.Count - 1);

        // A cycle found below already reported; the definition's value stays an error.
        if (_bound.TryGetValue(name, out var meanwhile)) return meanwhile;
        _bound[name] = value;
        _ordered.Add(new BoundDefinition(name, value, At(assignment.Span), _source.ToString(assignment.Span).Trim(),
                                         string.Join(", ", assignment.Targets.Select(t => t.Name))));
        return value;
    }

    private string ShapeText(BoundExpr e) => e is BoundMatrix m ? m.ShapeText : e.Size == 0 ? "a scalar" : $"[{e.Size}]";

    private string Text(Expr e) => _source.ToString(e.Span).Trim();
}
