using RnnGraph.Compiler.Cells;
using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Binding;

/// <summary>
/// Resolves a spec's layers against the cell library, infers every size through the stack and
/// checks that each layer can follow the one before it.
/// </summary>
public sealed partial class ModelBinder
{
    private readonly DiagnosticBag _bag;
    private readonly Dictionary<string, CellSpec> _cells = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failedCells = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int, int, bool), BoundCell?> _boundCells = new();

    private readonly int _vocabularySize;
    private readonly int _targetVocabularySize;

    // Whether _targetVocabularySize is the data's (so explicit decoder units can be checked against it) or the placeholder.
    private readonly bool _targetVocabularyKnown;

    private ModelBinder(DiagnosticBag bag, int vocabularySize, int? targetVocabularySize)
    {
        _bag = bag;
        _vocabularySize = vocabularySize;
        _targetVocabularySize = targetVocabularySize ?? PlaceholderVocabulary;
        _targetVocabularyKnown = targetVocabularySize is not null;
    }

    /// <summary>
    /// Binds a spec. <paramref name="vocabularySize"/> replaces <c>vocab: auto</c> and <c>units: auto</c>; before
    /// any data is read it defaults to <see cref="PlaceholderVocabulary"/>, the four special tokens every vocabulary has.
    /// </summary>
    /// <para><paramref name="targetVocabularySize"/> does the same for an encoder-decoder's decoder (its embedding and output units).</para>
    public static BoundModel? Bind(SpecDocument document, DiagnosticBag bag, int? vocabularySize = null, int? targetVocabularySize = null) =>
        new ModelBinder(bag, vocabularySize ?? PlaceholderVocabulary, targetVocabularySize).Run(document);

    public const int PlaceholderVocabulary = 4;

    private BoundModel? Run(SpecDocument document)
    {
        foreach (var (name, cell) in CellLibrary.Builtin) _cells[name] = cell;
        foreach (var cell in document.Cells)
        {
            if (CellLibrary.Builtin.ContainsKey(cell.Name.Value)) _bag.ReportCellShadowsBuiltin(cell.Name.Location, cell.Name.Value);
            else _cells[cell.Name.Value] = cell;
        }
        var model = document.Model;
        if (model is null) return null;

        var input = BindInput(model);
        if (input is null) return null;
        if (model.Topology?.Value == BoundModel.EncoderDecoderTopology) return BindEncoderDecoder(document, model, input);
        if (model.Layers.Count == 0)
        {
            _bag.ReportNoLayers(model.Location);
            return null;
        }

        var layers = new List<BoundLayer>();
        var parameters = new List<ModelParameter>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var defaultNameCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        bool? batchFirst = null;
        bool ok = true;

        string topology = model.Topology?.Value ?? "many-to-many";
        bool oneToMany = topology == "one-to-many";
        string conditionMode = model.Condition?.Value ?? "first-step";
        if (model.Condition is { } condition && !oneToMany) _bag.ReportConditionNeedsOneToMany(condition.Location);

        // What flows into the next layer: token ids of the input, or feature vectors of some size.
        string previous = $"the input '{input.Name}'";
        bool previousIsTokens = input.IsTokens && !input.OneHot;
        int previousSize = input.OneHot ? input.Vocab : input.IsTokens ? 0 : input.Size;
        int tokenVocab = input.Vocab;
        // One-to-many: the first layer takes the fed-back output token (one-hot, or embedded by an embed layer),
        // and with condition first-step the condition vector beside it.
        int conditionWidth = 0, feedbackVocab = 0;
        if (oneToMany)
        {
            if (!OneToManyOutputSize(model, input, out feedbackVocab)) return null;
            conditionWidth = conditionMode == "first-step" ? input.Size : 0;
            previous = $"the fed-back output tokens '{ModelNames.Feedback}'";
            previousIsTokens = model.Layers[0] is EmbedLayerSpec;
            previousSize = previousIsTokens ? 0 : feedbackVocab + conditionWidth;
            tokenVocab = feedbackVocab;
        }

        foreach (var spec in model.Layers)
        {
            string name = LayerName(spec, names, defaultNameCounts);
            BoundLayer? layer = spec switch
            {
                EmbedLayerSpec e => BindEmbed(e, name, input, tokenVocab, previous, previousIsTokens, oneToMany),
                RnnLayerSpec r => BindRnn(r, name, previous, previousIsTokens, previousSize, parameters, ref batchFirst),
                DenseLayerSpec d => BindDense(d, name, previous, previousIsTokens, previousSize, parameters),
                _ => null,
            };
            if (layer is null) { ok = false; break; }
            if (layer is BoundEmbedLayer embed) parameters.Add(new ModelParameter($"{name}.weight", [embed.Vocab, embed.Dim], name));
            layers.Add(layer);
            previous = $"layer '{name}'";
            previousIsTokens = false;
            previousSize = layer.OutputSize + (oneToMany && layers.Count == 1 && layer is BoundEmbedLayer ? conditionWidth : 0);
        }
        foreach (var cell in document.Cells.Where(c => !layers.OfType<BoundRnnLayer>().Any(l => l.Cells[0].Name == c.Name.Value)))
        {
            // Unused cells are still checked, with small distinct sizes, so `check` finds their mistakes.
            if (_cells.ContainsKey(cell.Name.Value) && !_failedCells.Contains(cell.Name.Value)) CellBinder.Bind(cell, 4, 3, true, _bag);
        }
        bool manyToOne = model.Topology?.Value == "many-to-one";
        if (model.Pooling is { } pooling && !manyToOne) _bag.ReportPoolingNeedsManyToOne(pooling.Location);
        if (manyToOne && ok && !layers.OfType<BoundRnnLayer>().Any()) _bag.ReportManyToOneNeedsRecurrentLayer(model.Topology!.Value.Location);
        string poolingMode = model.Pooling?.Value ?? "last";
        if (manyToOne && poolingMode == "attention" && layers.LastOrDefault(l => l is BoundRnnLayer) is { } pooled)
        {
            int f = pooled.OutputSize;
            int at = parameters.FindLastIndex(p => p.Layer == pooled.Name) + 1;
            parameters.InsertRange(at, [
                new ModelParameter($"{BoundModel.PoolLayer}.weight", [f, f], BoundModel.PoolLayer),
                new ModelParameter($"{BoundModel.PoolLayer}.bias", [f], BoundModel.PoolLayer),
                new ModelParameter($"{BoundModel.PoolLayer}.context", [1, f], BoundModel.PoolLayer)]);
        }
        if (oneToMany && ok && conditionMode == "state")
        {
            if (layers.OfType<BoundRnnLayer>().FirstOrDefault() is not { } conditioned)
            {
                _bag.ReportStateConditionNeedsRecurrentLayer(model.Condition!.Value.Location);
            }
            else
            {
                // One tanh(W c + b) row block per stacked layer and direction: [L·D·H, C], slice k = layer * D + direction.
                int rows = conditioned.NumLayers * conditioned.Directions * conditioned.Hidden;
                int at = parameters.FindLastIndex(p => p.Layer == conditioned.Name) + 1;
                parameters.InsertRange(at, [
                    new ModelParameter(ModelNames.ConditionParameter(conditioned.Name, "weight"), [rows, input.Size], conditioned.Name),
                    new ModelParameter(ModelNames.ConditionParameter(conditioned.Name, "bias"), [rows], conditioned.Name)]);
            }
        }
        if (!ok || _bag.HasErrors) return null;
        var bound = new BoundModel(input, layers, batchFirst ?? false, parameters)
        {
            ManyToOne = manyToOne,
            Pooling = poolingMode,
            Topology = topology,
            Condition = conditionMode,
            FeedbackVocab = feedbackVocab,
        };
        if (document.Training?.RecomputeEvery is { } recompute && bound.SegmentObstacle() is { } obstacle)
        {
            _bag.ReportRecomputeNotSupported(recompute.Location, obstacle);
            return null;
        }
        return bound;
    }

    /// <summary>
    /// One-to-many needs a float input (the condition) and a dense last layer, whose units are the number of output
    /// tokens fed back (known before the stack is bound, so the first layer's input size is too).
    /// </summary>
    private bool OneToManyOutputSize(ModelSpec model, BoundInput input, out int outputSize)
    {
        outputSize = 0;
        if (input.IsTokens)
        {
            var spec = model.Inputs[0];
            _bag.ReportOneToManyNeedsSizeInput(spec.Vocab?.Location ?? spec.Name.Location, input.Name);
            return false;
        }
        if (model.Layers[^1] is not DenseLayerSpec last)
        {
            var spec = model.Layers[^1];
            _bag.ReportOneToManyNeedsDenseLast(spec.Kind.Location, spec.Name?.Value ?? spec.Kind.Value);
            return false;
        }
        outputSize = last.UnitsFromData ? _vocabularySize : last.Units.Value;
        return true;
    }

    private BoundInput? BindInput(ModelSpec model)
    {
        if (model.Inputs.Count != 1)
        {
            _bag.ReportModelInputs(model.Location, model.Inputs.Count == 0
                ? "the model needs an input under inputs:, e.g. 'x: { size: 16 }'"
                : $"a model has exactly one input for now, but {model.Inputs.Count} are declared");
            return null;
        }
        var spec = model.Inputs[0];
        if (spec.Size is null && spec.Vocab is null) return null; // the reader reported it
        int vocab = spec.VocabFromData ? _vocabularySize : spec.Vocab?.Value ?? 0;
        return new BoundInput(spec.Name.Value, spec.Size?.Value ?? 0, vocab, spec.Location) { OneHot = spec.OneHot?.Value ?? false };
    }

    private string LayerName(LayerSpec spec, HashSet<string> names, Dictionary<string, int> defaultNameCounts)
    {
        if (spec.Name is { } explicitName)
        {
            if (!names.Add(explicitName.Value)) _bag.ReportDuplicateLayerName(explicitName.Location, explicitName.Value);
            return explicitName.Value;
        }
        // Default names are the layer kind, then kind_1, kind_2 ... for later ones.
        string kind = spec.Kind.Value;
        int n = defaultNameCounts.GetValueOrDefault(kind);
        string name;
        do { name = n == 0 ? kind : $"{kind}_{n}"; n++; } while (names.Contains(name));
        defaultNameCounts[kind] = n;
        names.Add(name);
        return name;
    }

    private BoundEmbedLayer? BindEmbed(EmbedLayerSpec spec, string name, BoundInput input, int vocab, string previous, bool previousIsTokens, bool oneToMany)
    {
        if (!previousIsTokens)
        {
            _bag.ReportLayerCannotFollow(spec.Kind.Location, name, previous, oneToMany
                ? "an embedding takes token ids; in a one-to-many model only the first layer can be one, embedding the fed-back output tokens"
                : $"an embedding takes token ids, so it must come right after an input declared with vocab: (e.g. '{input.Name}: {{ vocab: 100 }}')");
            return null;
        }
        return new BoundEmbedLayer(name, spec.Location, vocab, spec.Dim.Value);
    }

    private bool RejectTokens(LayerSpec spec, string name, string previous, bool previousIsTokens)
    {
        if (!previousIsTokens) return false;
        _bag.ReportLayerCannotFollow(spec.Kind.Location, name, previous,
            "it needs feature vectors but gets token ids; add an embed layer first, or declare the input with size:");
        return true;
    }

    private BoundDenseLayer? BindDense(DenseLayerSpec spec, string name, string previous, bool previousIsTokens, int inputSize, List<ModelParameter> parameters)
    {
        if (RejectTokens(spec, name, previous, previousIsTokens)) return null;
        bool bias = spec.Bias?.Value ?? true;
        string activation = spec.Activation?.Value ?? "none";
        int units = spec.UnitsFromData ? _vocabularySize : spec.Units.Value;
        parameters.Add(new ModelParameter($"{name}.weight", [units, inputSize], name));
        if (bias) parameters.Add(new ModelParameter($"{name}.bias", [units], name));
        return new BoundDenseLayer(name, spec.Location, inputSize, units, activation, bias);
    }

    private BoundRnnLayer? BindRnn(RnnLayerSpec spec, string name, string previous, bool previousIsTokens, int inputSize,
                                   List<ModelParameter> parameters, ref bool? batchFirst)
    {
        if (RejectTokens(spec, name, previous, previousIsTokens)) return null;
        string? cellName = ResolveCellName(spec);
        if (cellName is null) return null;

        bool layerBatchFirst = spec.BatchFirst?.Value ?? false;
        if (batchFirst is { } agreed && agreed != layerBatchFirst) _bag.ReportBatchFirstConflict(spec.BatchFirst?.Location ?? spec.Kind.Location);
        batchFirst ??= layerBatchFirst;

        int hidden = spec.Hidden.Value;
        int numLayers = spec.NumLayers?.Value ?? 1;
        int directions = spec.Bidirectional?.Value == true ? 2 : 1;
        string merge = spec.Merge?.Value ?? "concat";
        if (spec.Merge is { } m && directions == 1)
        {
            _bag.ReportMergeNeedsTwoDirections(m.Location);
            return null;
        }
        bool bias = spec.Bias?.Value ?? true;

        var cells = new List<BoundCell>();
        int size = inputSize;
        for (int l = 0; l < numLayers; l++)
        {
            var cell = BindCell(cellName, hidden, size, bias, spec);
            if (cell is null) return null;
            cells.Add(cell);
            for (int d = 0; d < directions; d++)
                foreach (var p in cell.Params)
                    parameters.Add(new ModelParameter(ModelNames.Parameter(name, p.Name, l, d), p.Dims, name));
            size = merge == "concat" ? directions * cell.OutputSize : cell.OutputSize;
        }
        return new BoundRnnLayer(name, spec.Location, cells, hidden, numLayers, directions, bias)
        {
            Merge = merge,
            Dropout = spec.Dropout?.Value ?? 0,
            RecurrentDropout = spec.RecurrentDropout?.Value ?? 0,
        };
    }

    private string? ResolveCellName(RnnLayerSpec spec)
    {
        string cell = spec.Cell.Value;
        if (!_cells.ContainsKey(cell))
        {
            _bag.ReportUnknownCell(spec.Cell.Location, cell, StringDistance.Suggest(cell, _cells.Keys), _cells.Keys.Order(StringComparer.Ordinal));
            return null;
        }
        if (spec.ResetAfter is { } resetAfter)
        {
            if (cell != "gru") { _bag.ReportOptionNotForCell(resetAfter.Location, "reset_after", cell, "the gru cell"); return null; }
            if (!resetAfter.Value) cell = "gru_reset_before";
        }
        if (spec.Peepholes is { } peepholes)
        {
            if (cell != "lstm") { _bag.ReportOptionNotForCell(peepholes.Location, "peepholes", cell, "the lstm cell"); return null; }
            if (peepholes.Value) cell = "lstm_peephole";
        }
        return cell;
    }

    private BoundCell? BindCell(string cellName, int hidden, int input, bool bias, RnnLayerSpec layer)
    {
        if (_failedCells.Contains(cellName)) return null;
        var key = (cellName, hidden, input, bias);
        if (_boundCells.TryGetValue(key, out var cached)) return cached;
        var spec = _cells[cellName];
        BoundCell? cell;
        if (spec.Location.Path == CellLibrary.SourcePath)
        {
            // Only sizes can break a built-in cell (e.g. 3*hidden beyond int.MaxValue); say so at the
            // layer instead of pointing into the embedded library, a file the user never wrote.
            var scratch = new DiagnosticBag();
            cell = CellBinder.Bind(spec, hidden, input, bias, scratch);
            if (cell is null)
                _bag.ReportBuiltinCellSizes(layer.Hidden.Location, layer.Cell.Value, hidden, input, scratch.Sorted().First(d => d.IsError).Message);
        }
        else
        {
            cell = CellBinder.Bind(spec, hidden, input, bias, _bag);
        }
        if (cell is null) _failedCells.Add(cellName);
        _boundCells[key] = cell;
        return cell;
    }
}
