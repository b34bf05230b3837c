using RnnGraph.Dsl.Text;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>Reads the <c>model:</c> section: its inputs here (<c>vocab: auto</c> and <c>one_hot</c> included), its layers in <see cref="LayerReader"/>.</summary>
internal static class ModelReader
{
    /// <summary>Null when <c>model</c> is not a mapping; otherwise the model with whatever could be read.</summary>
    public static ModelSpec? Read(SpecReadContext ctx, MappingReader sections)
    {
        if (sections.Mapping("model") is not { } mapping) return null;
        var model = new MappingReader(ctx, mapping, SpecKeys.Model, "'model'", sections.KeyLocation("model")!.Value);

        IReadOnlyList<InputSpec> inputs = [];
        if (model.Mapping("inputs") is { } inputNodes)
        {
            if (inputNodes.Children.Count == 0) ctx.Diagnostics.ReportEmptyList(model.KeyLocation("inputs")!.Value, "inputs");
            inputs = ReadInputs(ctx, inputNodes);
        }

        IReadOnlyList<LayerSpec> layers = [];
        if (model.Sequence("layers") is { } layerNodes)
        {
            if (layerNodes.Children.Count == 0) ctx.Diagnostics.ReportEmptyList(model.KeyLocation("layers")!.Value, "layers");
            layers = LayerReader.ReadAll(ctx, layerNodes);
        }

        return new ModelSpec(inputs, layers, sections.EntryLocation("model")!.Value)
        {
            Topology = model.Choice("topology", "topology", SpecKeys.Topologies),
            Pooling = model.Choice("pooling", "pooling", SpecKeys.Poolings),
            Condition = model.Choice("condition", "condition", SpecKeys.Conditions),
        };
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
