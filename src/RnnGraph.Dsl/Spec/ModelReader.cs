using RnnGraph.Dsl.Text;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>Reads the <c>model:</c> section: its inputs here (<c>vocab: auto</c> and <c>one_hot</c> included), its layers in <see cref="LayerReader"/>.</summary>
internal static class ModelReader
{
    /// <summary>
    /// Null when <c>model</c> is not a mapping; otherwise the model with whatever could be read. <paramref name="topology"/>
    /// is what the other sections' topology-dependent keys are checked against (null when unknown).
    /// </summary>
    public static ModelSpec? Read(SpecReadContext ctx, MappingReader sections, out ModelTopology? topology)
    {
        topology = null;
        if (sections.Mapping("model") is not { } mapping) return null;
        var model = new MappingReader(ctx, mapping, SpecKeys.Model, "'model'", sections.KeyLocation("model")!.Value);

        IReadOnlyList<InputSpec> inputs = [];
        if (model.Mapping("inputs") is { } inputNodes)
        {
            if (inputNodes.Children.Count == 0) ctx.Diagnostics.ReportEmptyList(model.KeyLocation("inputs")!.Value, "inputs");
            inputs = ReadInputs(ctx, inputNodes);
        }

        var topologyWord = model.Choice("topology", "topology", SpecKeys.Topologies);
        topology = topologyWord is { } word ? new ModelTopology(word.Value, false)
            : model.Has("topology") ? null
            : new ModelTopology(SpecKeys.Topologies[0], true);

        IReadOnlyList<LayerSpec> layers = [];
        if (topology is { IsEncoderDecoder: true } && model.KeyLocation("layers") is { } layersKey)
            ctx.Diagnostics.ReportLayersInEncoderDecoder(layersKey);
        else
            layers = ReadLayerList(ctx, model, "layers") ?? [];

        var spec = new ModelSpec(inputs, layers, sections.EntryLocation("model")!.Value)
        {
            Topology = topologyWord,
            Pooling = model.Choice("pooling", "pooling", SpecKeys.Poolings),
            Condition = model.Choice("condition", "condition", SpecKeys.Conditions),
        };
        if (ModelTopology.AllowsEncoderDecoderKeys(ctx, model, topology, SpecKeys.EncoderDecoderModelKeys))
            spec = ReadEncoderDecoder(ctx, model, spec, topologyWord);

        // 'layers' is required unless the model is (or, with an unknown topology, looks like) an encoder-decoder.
        if (topology is not { IsEncoderDecoder: true } && !model.Has("encoder") && !model.Has("decoder")) model.Require("layers");
        return spec;
    }

    /// <summary>The encoder-decoder keys, and those of them <c>topology: encoder-decoder</c> requires.</summary>
    private static ModelSpec ReadEncoderDecoder(SpecReadContext ctx, MappingReader model, ModelSpec spec, Located<string>? topologyWord)
    {
        if (topologyWord is { Value: SpecKeys.EncoderDecoder } word)
        {
            // With 'layers' given instead, RG0033 already says to split them into encoder and decoder.
            if (!model.Has("layers"))
            {
                if (model.IsMissing("encoder"))
                    ctx.Diagnostics.ReportSettingNeedsKey(word.Location, "topology", word.Value, "encoder", "the layers that read the input, listed like 'layers'");
                if (model.IsMissing("decoder"))
                    ctx.Diagnostics.ReportSettingNeedsKey(word.Location, "topology", word.Value, "decoder", "the layers that generate the output, listed like 'layers'");
            }
            if (model.IsMissing("max_output_length"))
                ctx.Diagnostics.ReportSettingNeedsKey(word.Location, "topology", word.Value, "max_output_length", "the most decoder steps of an output, <eos> included, a positive integer");
        }

        return spec with
        {
            Encoder = ReadLayerList(ctx, model, "encoder"),
            Decoder = ReadLayerList(ctx, model, "decoder"),
            Bridge = model.Choice("bridge", "bridge", SpecKeys.Bridges),
            Attention = ReadAttention(ctx, model),
            MaxOutputLength = model.PositiveInteger("max_output_length", "maximum output length"),
        };
    }

    /// <summary>A list of layers (<c>layers</c>, <c>encoder</c>, <c>decoder</c>); null when absent or not a list (reported).</summary>
    private static IReadOnlyList<LayerSpec>? ReadLayerList(SpecReadContext ctx, MappingReader model, string key)
    {
        if (model.Sequence(key) is not { } nodes) return null;
        if (nodes.Children.Count == 0) ctx.Diagnostics.ReportEmptyList(model.KeyLocation(key)!.Value, key);
        return LayerReader.ReadAll(ctx, nodes);
    }

    /// <summary><c>attention: WORD</c> or <c>attention: { type: WORD, units: N }</c>; null for none, absent or wrong.</summary>
    private static AttentionSpec? ReadAttention(SpecReadContext ctx, MappingReader model)
    {
        if (model.Value("attention") is not { } node) return null;
        var location = model.EntryLocation("attention")!.Value;
        Located<string>? type;
        Located<int>? units = null;
        switch (node)
        {
            case YamlMappingNode mapping:
                var options = new MappingReader(ctx, mapping, SpecKeys.Attention, "'attention'", model.KeyLocation("attention")!.Value);
                type = options.Choice("type", "attention type", SpecKeys.AttentionTypes);
                units = options.PositiveInteger("units", "number of attention units");
                // Only additive attention has a layer of its own whose width 'units' sets.
                if (type is { Value: not "additive" } other && options.KeyLocation("units") is { } unitsKey)
                {
                    ctx.Diagnostics.ReportKeyNeedsSetting(unitsKey, "units", "type", ["additive"], other.Value, isDefault: false);
                    units = null;
                }
                break;
            case YamlScalarNode when !YamlValues.IsNull(node):
                type = model.Choice("attention", "attention type", SpecKeys.AttentionTypes);
                break;
            default:
                ctx.Diagnostics.ReportWrongType(model.Where("attention"), "a word (additive, dot, general or none) or a mapping such as { type: additive, units: 128 }",
                    "'attention'", YamlValues.Describe(node));
                return null;
        }
        return type is { Value: not "none" } t ? new AttentionSpec(t, units, location) : null;
    }

    private static List<InputSpec> ReadInputs(SpecReadContext ctx, YamlMappingNode inputNodes)
    {
        var inputs = new List<InputSpec>();
        foreach (var (name, key, value) in YamlValues.NamedEntries(ctx, inputNodes, "'inputs'"))
        {
            if (value is not YamlMappingNode mapping)
            {
                var where = YamlValues.IsNull(value) ? name.Location : ctx.Locate(value);
                ctx.Diagnostics.ReportWrongType(where, "a mapping such as { size: 16 }", $"input '{name.Value}'", YamlValues.Describe(value));
                continue;
            }

            var options = new MappingReader(ctx, mapping, SpecKeys.Input, $"input '{name.Value}'", name.Location);
            var size = options.PositiveInteger("size", "input size");
            var vocab = options.PositiveIntegerOrAuto("vocab", "vocabulary size", out bool vocabFromData);
            var oneHot = options.Boolean("one_hot");
            if (options.Has("one_hot") && options.Has("size") && !options.Has("vocab"))
            {
                ctx.Diagnostics.ReportOneHotWithSize(options.KeyLocation("one_hot")!.Value, name.Value);
                oneHot = null;
            }
            if (!options.Has("size") && !options.Has("vocab"))
            {
                ctx.Diagnostics.ReportInputWithoutSizeOrVocab(name.Location, name.Value);
            }
            else if (options.Has("size") && options.Has("vocab"))
            {
                // Point at whichever of the two was written second: that is the one to remove or keep.
                TextLocation first = options.KeyLocation("size")!.Value, second = options.KeyLocation("vocab")!.Value;
                ctx.Diagnostics.ReportInputWithSizeAndVocab(first.Span.Start > second.Span.Start ? first : second, name.Value);
            }
            else if (size is not null || vocab is not null)
            {
                inputs.Add(new InputSpec(name, size, vocab, ctx.Locate(key, value)) { VocabFromData = vocabFromData, OneHot = oneHot });
            }
        }
        return inputs;
    }
}
