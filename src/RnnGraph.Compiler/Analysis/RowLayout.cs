using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Analysis;

/// <summary>
/// Which summary rows a node counts in (from its origin) and how the rows are named, ordered and described.
/// A recurrent stack of more than one layer or direction has a part per stacked layer and direction, plus
/// parts for the merge of its directions, its dropout and its condition.
/// </summary>
internal sealed class RowLayout(BoundModel model)
{
    private const string InputRow = "\0input";
    private readonly Dictionary<RowKey, (int Layer, int Direction, string? Label)> _parts = new();

    private BoundLayer? Pooled => model.ManyToOne ? model.Layers.Last(l => l is BoundRnnLayer) : null;

    /// <summary>The layer's row and, when the layer has parts, the part's row.</summary>
    public IEnumerable<RowKey> KeysOf(NodeOrigin origin)
    {
        string layer = origin.Scope ?? InputRow;
        yield return new RowKey(layer, null);
        if (model.Layers.FirstOrDefault(l => l.Name == layer) is not BoundRnnLayer rnn || rnn.NumLayers * rnn.Directions == 1) yield break;
        int direction = origin.Layer < 0 ? -1 : origin.Direction;
        string? label = direction >= 0 ? null : origin.Label ?? "other";
        string part = origin.Layer < 0 ? label!
            : direction >= 0 ? $"l{origin.Layer}" + (rnn.Directions == 2 ? (direction == 0 ? " fwd" : " rev") : "")
            : $"l{origin.Layer} " + (label!.EndsWith(" directions", StringComparison.Ordinal) ? "merge" : label);
        var key = new RowKey(layer, part);
        _parts.TryAdd(key, (origin.Layer, direction, label));
        yield return key;
    }

    /// <summary>Every row in order with its name, kind and output shape; <paramref name="seen"/> adds rows of unexpected scopes.</summary>
    public IEnumerable<(RowKey Key, string Name, string Kind, string Shape)> Rows(IEnumerable<RowKey> seen)
    {
        var present = seen.ToHashSet();
        var input = model.Input;
        yield return (new RowKey(InputRow, null), input.Name, InputKind(), InputShape());
        bool pooled = false;
        foreach (var layer in model.Layers)
        {
            yield return (new RowKey(layer.Name, null), layer.Name, Kind(layer), pooled ? One(layer.OutputSize) : Sequence(layer.OutputSize));
            if (layer is BoundRnnLayer rnn)
            {
                var parts = present.Where(k => k.Layer == layer.Name && k.Part is not null && _parts.ContainsKey(k))
                    .OrderBy(k => _parts[k].Layer).ThenBy(k => _parts[k].Direction < 0 ? 2 : _parts[k].Direction).ThenBy(k => k.Part, StringComparer.Ordinal);
                foreach (var part in parts) yield return (part, part.Part!, PartKind(rnn, _parts[part]), PartShape(rnn, _parts[part]));
            }
            if (layer != Pooled) continue;
            pooled = true;
            yield return (new RowKey(BoundModel.PoolLayer, null), BoundModel.PoolLayer, $"pooling, {model.Pooling}", One(layer.OutputSize));
        }
        var known = model.Layers.Select(l => l.Name).Append(InputRow).Append(BoundModel.PoolLayer).ToHashSet();
        foreach (var other in present.Where(k => k.Part is null && !known.Contains(k.Layer)).OrderBy(k => k.Layer, StringComparer.Ordinal))
            yield return model.EncoderDecoder is { } parts ? (other, other.Layer, EncoderDecoderKind(parts, other.Layer), EncoderDecoderShape(parts, other.Layer))
                : (other, other.Layer, "", "");
    }

    /// <summary>An encoder-decoder's attention and bridge rows: what they are.</summary>
    private static string EncoderDecoderKind(BoundEncoderDecoder parts, string row) => row switch
    {
        BoundEncoderDecoder.AttentionLayer => parts.Attention == "additive" ? $"additive attention, {parts.AttentionUnits} units" : $"{parts.Attention} attention",
        BoundEncoderDecoder.BridgeLayer => $"{parts.Bridge}: encoder finals -> decoder initial states",
        _ => "",
    };

    /// <summary>The attention's weights over the source at every decoder step (S source steps); the bridge's initial decoder states.</summary>
    private string EncoderDecoderShape(BoundEncoderDecoder parts, string row) => row switch
    {
        BoundEncoderDecoder.AttentionLayer => model.BatchFirst ? "[B,T,S]" : "[T,B,S]",
        BoundEncoderDecoder.BridgeLayer => $"[{parts.DecoderRnn.NumLayers},B,{parts.DecoderRnn.Hidden}]",
        _ => "",
    };

    private string Sequence(int features) =>
        model.OneToOne ? One(features) : model.BatchFirst ? $"[B,T,{features}]" : $"[T,B,{features}]";

    private static string One(int features) => $"[B,{features}]";

    private string InputKind()
    {
        var input = model.Input;
        if (model.OneToMany) return "condition, fed-back ids";
        if (input.OneHot) return $"ids, one-hot {input.Vocab}";
        return input.IsTokens ? "token ids" : "features";
    }

    private string InputShape()
    {
        var input = model.Input;
        string ids = model.OneToOne ? "[B]" : model.BatchFirst ? "[B,T]" : "[T,B]";
        if (model.OneToMany) return $"[B,{input.Size}] + {ids}";
        if (input.OneHot) return Sequence(input.Vocab);
        return input.IsTokens ? ids : Sequence(input.Size);
    }

    private static string Kind(BoundLayer layer) => layer switch
    {
        BoundEmbedLayer e => $"embed, vocab {e.Vocab}",
        BoundRnnLayer r => $"{r.Cells[0].Name}, {r.NumLayers} layer{(r.NumLayers == 1 ? "" : "s")}" + (r.Directions == 2 ? $", bidirectional ({r.Merge})" : ""),
        BoundDenseLayer d => d.Activation == "none" ? "dense" : $"dense, {d.Activation}",
        _ => layer.GetType().Name,
    };

    private static string PartKind(BoundRnnLayer rnn, (int Layer, int Direction, string? Label) part)
    {
        if (part.Layer < 0) return part.Label == "condition" ? "condition -> initial states" : part.Label ?? "";
        var cell = rnn.Cells[part.Layer];
        if (part.Direction >= 0) return $"{cell.Name} {cell.Input}->{cell.Hidden}";
        return part.Label == "dropout" ? $"dropout {rnn.Dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : rnn.Merge;
    }

    private string PartShape(BoundRnnLayer rnn, (int Layer, int Direction, string? Label) part)
    {
        if (part.Layer < 0) return One(rnn.NumLayers * rnn.Directions * rnn.Hidden);
        var cell = rnn.Cells[part.Layer];
        return Sequence(part.Direction >= 0 ? cell.OutputSize : rnn.MergedSize(cell.OutputSize));
    }
}
