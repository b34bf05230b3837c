using RnnGraph.Dsl.Text;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>Reads <c>model.layers</c>: each item is a one-key mapping, the layer kind, whose value holds the options.</summary>
internal static class LayerReader
{
    /// <summary>What every kind's reader gets: the kind as written, its checked options, its optional name and its whole extent.</summary>
    private sealed record LayerItem(SpecReadContext Ctx, Located<string> Kind, MappingReader Options, Located<string>? Name, TextLocation Location);

    // Adding a layer kind: its keys in SpecKeys, its record in SpecModel, one entry here.
    private static readonly Dictionary<string, (KeyTable Keys, Func<LayerItem, LayerSpec?> Read)> Kinds = new(StringComparer.Ordinal)
    {
        ["rnn"] = (SpecKeys.Rnn, ReadRnn),
        ["dense"] = (SpecKeys.Dense, ReadDense),
        ["embed"] = (SpecKeys.Embed, ReadEmbed),
    };

    public static IReadOnlyList<LayerSpec> ReadAll(SpecReadContext ctx, YamlSequenceNode items)
    {
        var layers = new List<LayerSpec>();
        foreach (var item in items.Children)
        {
            if (ReadItem(ctx, item) is { } layer) layers.Add(layer);
        }
        return layers;
    }

    private static LayerSpec? ReadItem(SpecReadContext ctx, YamlNode item)
    {
        if (item is not YamlMappingNode { Children.Count: > 0 } mapping)
        {
            string actual = item is YamlMappingNode ? "an empty mapping" : YamlValues.Describe(item);
            ctx.Diagnostics.ReportBadLayerItem(ctx.Locate(item), actual);
            return null;
        }

        var (kindNode, optionsNode) = mapping.Children[0];
        if (kindNode is not YamlScalarNode { Value: { } kindText } kindKey)
        {
            ctx.Diagnostics.ReportBadLayerItem(ctx.Locate(kindNode), $"{YamlValues.Describe(kindNode)} as its key");
            return null;
        }
        foreach (var (extra, _) in mapping.Children.Skip(1))
        {
            string extraText = (extra as YamlScalarNode)?.Value ?? YamlValues.Describe(extra);
            ctx.Diagnostics.ReportExtraLayerKey(ctx.Locate(extra), extraText, kindText);
        }

        var kind = new Located<string>(kindText, ctx.Locate(kindKey));
        if (!Kinds.TryGetValue(kindText, out var entry))
        {
            ctx.Diagnostics.ReportUnknownLayerKind(kind.Location, kindText, SpecKeys.LayerKinds, SpecKeys.BuiltInCells);
            return null;
        }

        if (optionsNode is not YamlMappingNode options)
        {
            // With extra keys the usual mistake is options not indented under the kind, already explained.
            if (mapping.Children.Count == 1 || !YamlValues.IsNull(optionsNode))
            {
                var where = YamlValues.IsNull(optionsNode) ? kind.Location : ctx.Locate(optionsNode);
                ctx.Diagnostics.ReportWrongType(where, "a mapping of options", $"'{kindText}'", YamlValues.Describe(optionsNode));
            }
            return null;
        }

        var reader = new MappingReader(ctx, options, entry.Keys, $"{kindText} layer", kind.Location);
        var name = reader.Name("name");
        return entry.Read(new LayerItem(ctx, kind, reader, name, ctx.Locate(mapping)));
    }

    private static LayerSpec? ReadRnn(LayerItem layer)
    {
        var o = layer.Options;
        var cell = o.Name("cell");
        var hidden = o.PositiveInteger("hidden", "hidden size");
        var numLayers = o.PositiveInteger("layers", "number of layers");
        var bidirectional = o.Boolean("bidirectional");
        var bias = o.Boolean("bias");
        var batchFirst = o.Boolean("batch_first");
        var resetAfter = o.Boolean("reset_after");
        var peepholes = o.Boolean("peepholes");
        var merge = o.Choice("merge", "merge mode", SpecKeys.MergeModes);
        var dropout = Fraction(layer, o, "dropout");
        var recurrentDropout = Fraction(layer, o, "recurrent_dropout");

        if (cell is { Value: var cellName })
        {
            // Both options change a specific built-in cell's equations; elsewhere they would be silently meaningless.
            if (o.Has("reset_after") && cellName != "gru")
                layer.Ctx.Diagnostics.ReportOptionNotForCell(o.KeyLocation("reset_after")!.Value, "reset_after", "gru", cellName);
            if (peepholes is { Value: true } && cellName != "lstm")
                layer.Ctx.Diagnostics.ReportOptionNotForCell(o.KeyLocation("peepholes")!.Value, "peepholes", "lstm", cellName);
        }

        if (cell is not { } c || hidden is not { } h) return null;
        return new RnnLayerSpec(layer.Kind, layer.Name, layer.Location, c, h, numLayers, bidirectional, bias, batchFirst, resetAfter, peepholes)
        {
            Merge = merge,
            Dropout = dropout,
            RecurrentDropout = recurrentDropout,
        };
    }

    /// <summary>A probability in [0, 1); outside it, RG0025 and null.</summary>
    private static Located<double>? Fraction(LayerItem layer, MappingReader o, string key)
    {
        var value = o.Number(key);
        if (value is not { Value: < 0 or >= 1 } bad) return value;
        layer.Ctx.Diagnostics.ReportFractionOutOfRange(bad.Location, "dropout probability", bad.Value);
        return null;
    }

    private static LayerSpec? ReadDense(LayerItem layer)
    {
        var o = layer.Options;
        var units = o.PositiveIntegerOrAuto("units", "number of units", out bool unitsFromData);
        var activation = o.Word("activation");
        var bias = o.Boolean("bias");

        if (activation is { } a && !SpecKeys.Activations.Contains(a.Value))
        {
            layer.Ctx.Diagnostics.ReportUnknownActivation(a.Location, a.Value, SpecKeys.Activations);
            activation = null;
        }

        if (units is not { } u) return null;
        return new DenseLayerSpec(layer.Kind, layer.Name, layer.Location, u, activation, bias) { UnitsFromData = unitsFromData };
    }

    private static LayerSpec? ReadEmbed(LayerItem layer)
    {
        var dim = layer.Options.PositiveInteger("dim", "embedding dimension");
        return dim is { } d ? new EmbedLayerSpec(layer.Kind, layer.Name, layer.Location, d) : null;
    }
}
