using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Binding;

/// <summary>
/// Binding of <c>topology: encoder-decoder</c>: the encoder's layers read the model input (the source tokens); the decoder is
/// [embed] rnn dense..., fed the previous target token; the bridge and the attention join the two (see <see cref="BoundEncoderDecoder"/>).
/// </summary>
public sealed partial class ModelBinder
{
    public static readonly IReadOnlyList<string> Bridges = ["none", "copy", "sum", "concat", "dense"];
    public static readonly IReadOnlyList<string> Attentions = ["none", "additive", "dot", "general"];

    private BoundModel? BindEncoderDecoder(SpecDocument document, ModelSpec model, BoundInput input)
    {
        var encoderSpecs = model.Encoder ?? [];
        var decoderSpecs = model.Decoder ?? [];
        if (encoderSpecs.Count == 0 || decoderSpecs.Count == 0)
        {
            _bag.ReportEncoderDecoder(model.Location, "the model needs an 'encoder:' and a 'decoder:' layer list (and no 'layers:')");
            return null;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var parameters = new List<ModelParameter>();
        bool? batchFirst = null;

        // The encoder: any stack over the source tokens, ending in a recurrent layer.
        var encoder = new List<BoundLayer>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        string previous = $"the input '{input.Name}'";
        bool previousIsTokens = input.IsTokens && !input.OneHot;
        int previousSize = input.OneHot ? input.Vocab : input.IsTokens ? 0 : input.Size;
        foreach (var spec in encoderSpecs)
        {
            string name = PartLayerName("encoder", spec, names, counts);
            BoundLayer? layer = spec switch
            {
                EmbedLayerSpec e => BindEmbed(e, name, input, input.Vocab, previous, previousIsTokens, false),
                RnnLayerSpec r => BindRnn(r, name, previous, previousIsTokens, previousSize, parameters, ref batchFirst),
                DenseLayerSpec d => BindDense(d, name, previous, previousIsTokens, previousSize, parameters),
                _ => null,
            };
            if (layer is null) return null;
            if (layer is BoundEmbedLayer embed) parameters.Add(new ModelParameter($"{name}.weight", [embed.Vocab, embed.Dim], name));
            encoder.Add(layer);
            previous = $"layer '{name}'";
            previousIsTokens = false;
            previousSize = layer.OutputSize;
        }
        if (encoder[^1] is not BoundRnnLayer encoderRnn)
        {
            _bag.ReportEncoderDecoder(encoderSpecs[^1].Kind.Location, "the encoder must end with an rnn layer: its outputs are what the attention reads and its final states what the bridge passes on");
            return null;
        }

        // The decoder: [embed] rnn dense...; the previous target token enters the embedding (or as a one-hot vector).
        // The target vocabulary: the last dense layer's units when given, else the data's (units: auto).
        int vocab = decoderSpecs[^1] is DenseLayerSpec { UnitsFromData: false } last ? last.Units.Value : _targetVocabularySize;
        int at = 0;
        BoundEmbedLayer? decoderEmbed = null;
        counts.Clear();
        if (decoderSpecs[0] is EmbedLayerSpec embedSpec)
        {
            string name = PartLayerName("decoder", embedSpec, names, counts);
            decoderEmbed = new BoundEmbedLayer(name, embedSpec.Location, vocab, embedSpec.Dim.Value);
            parameters.Add(new ModelParameter($"{name}.weight", [vocab, decoderEmbed.Dim], name));
            at = 1;
        }
        if (at >= decoderSpecs.Count || decoderSpecs[at] is not RnnLayerSpec decoderRnnSpec)
        {
            var where = at < decoderSpecs.Count ? decoderSpecs[at].Kind.Location : decoderSpecs[^1].Kind.Location;
            _bag.ReportEncoderDecoder(where, "the decoder is an optional embed layer, then one rnn layer, then dense layers (the last scores the output tokens)");
            return null;
        }
        if (decoderRnnSpec.Bidirectional?.Value == true)
        {
            _bag.ReportEncoderDecoder(decoderRnnSpec.Bidirectional.Value.Location, "the decoder emits one token after another, so its rnn layer cannot be bidirectional; remove 'bidirectional'");
            return null;
        }
        var attentionSpec = model.Attention;
        string attention = attentionSpec?.Type.Value ?? "none";
        int hidden = decoderRnnSpec.Hidden.Value;
        int memory = encoderRnn.OutputSize;
        int feed = attention switch { "additive" => memory, "dot" or "general" => hidden, _ => 0 };
        int tokenSize = decoderEmbed?.Dim ?? vocab;
        string decoderRnnName = PartLayerName("decoder", decoderRnnSpec, names, counts);
        var decoderRnn = BindRnn(decoderRnnSpec, decoderRnnName, decoderEmbed is null ? "the one-hot target tokens" : $"layer '{decoderEmbed.Name}'",
                                 false, tokenSize + feed, parameters, ref batchFirst);
        if (decoderRnn is null) return null;

        var head = new List<BoundDenseLayer>();
        int headSize = attention == "additive" ? hidden + memory : hidden;
        previous = $"layer '{decoderRnnName}'";
        foreach (var spec in decoderSpecs.Skip(at + 1))
        {
            if (spec is not DenseLayerSpec dense)
            {
                _bag.ReportEncoderDecoder(spec.Kind.Location, "after its rnn layer the decoder has only dense layers (the last scores the output tokens)");
                return null;
            }
            string name = PartLayerName("decoder", spec, names, counts);
            var layer = BindDenseUnits(dense, name, headSize, dense.UnitsFromData ? _targetVocabularySize : dense.Units.Value, parameters);
            head.Add(layer);
            headSize = layer.Units;
        }
        if (head.Count == 0)
        {
            _bag.ReportEncoderDecoder(decoderSpecs[^1].Kind.Location, "the decoder must end with a dense layer scoring the output tokens; add '- dense: { units: auto }'");
            return null;
        }
        // Explicit units size the decoder's vocabulary; once the data's target vocabulary is known they must match it.
        if (_targetVocabularyKnown && decoderSpecs[^1] is DenseLayerSpec { UnitsFromData: false } scorer && scorer.Units.Value != _targetVocabularySize)
        {
            _bag.ReportEncoderDecoder(scorer.Units.Location,
                $"the decoder's last dense layer scores the output tokens, so it needs one unit per target token ({_targetVocabularySize}), not {scorer.Units.Value}; use 'units: auto'");
            return null;
        }

        string bridge = model.Bridge?.Value ?? (encoderRnn.Directions == 2 ? "concat" : "copy");
        if (!BindBridge(model, bridge, encoderRnn, decoderRnn, parameters)) return null;
        int units = 0;
        if (!BindAttention(attentionSpec, attention, hidden, memory, parameters, out units)) return null;
        // The head's parameters come last, as its layer does.
        var headParameters = parameters.Where(p => head.Any(h => h.Name == p.Layer)).ToList();
        parameters.RemoveAll(headParameters.Contains);
        parameters.AddRange(headParameters);

        int maxOutput = model.MaxOutputLength?.Value ?? 50;
        var parts = new BoundEncoderDecoder(encoder, encoderRnn, decoderEmbed, decoderRnn, head, bridge, attention, units, maxOutput, vocab);
        foreach (var cell in document.Cells.Where(c => c.Name.Value != encoderRnn.Cells[0].Name && c.Name.Value != decoderRnn.Cells[0].Name))
            if (_cells.ContainsKey(cell.Name.Value) && !_failedCells.Contains(cell.Name.Value)) CellBinder.Bind(cell, 4, 3, true, _bag);
        if (model.Pooling is { } pooling) _bag.ReportPoolingNeedsManyToOne(pooling.Location);
        if (model.Condition is { } condition) _bag.ReportConditionNeedsOneToMany(condition.Location);
        if (_bag.HasErrors) return null;
        var bound = new BoundModel(input, encoder.Concat(parts.DecoderLayers).ToList(), batchFirst ?? false, parameters)
        {
            Topology = BoundModel.EncoderDecoderTopology,
            EncoderDecoder = parts,
        };
        if (document.Training?.RecomputeEvery is { } recompute && bound.SegmentObstacle() is { } obstacle)
        {
            _bag.ReportRecomputeNotSupported(recompute.Location, obstacle);
            return null;
        }
        return bound;
    }

    /// <summary>An explicit name as given; a default one is the part and the kind (<c>encoder.rnn</c>, <c>decoder.dense_1</c>).</summary>
    private string PartLayerName(string part, LayerSpec spec, HashSet<string> names, Dictionary<string, int> counts)
    {
        if (spec.Name is not null) return LayerName(spec, names, counts);
        string kind = spec.Kind.Value;
        int n = counts.GetValueOrDefault(kind);
        string name;
        do { name = n == 0 ? $"{part}.{kind}" : $"{part}.{kind}_{n}"; n++; } while (names.Contains(name));
        counts[kind] = n;
        names.Add(name);
        return name;
    }

    private static BoundDenseLayer BindDenseUnits(DenseLayerSpec spec, string name, int inputSize, int units, List<ModelParameter> parameters)
    {
        bool bias = spec.Bias?.Value ?? true;
        parameters.Add(new ModelParameter($"{name}.weight", [units, inputSize], name));
        if (bias) parameters.Add(new ModelParameter($"{name}.bias", [units], name));
        return new BoundDenseLayer(name, spec.Location, inputSize, units, spec.Activation?.Value ?? "none", bias);
    }

    /// <summary>
    /// Checks that the bridge can map the encoder's final states onto the decoder's initial ones (layer l to layer l, state by state)
    /// and adds the dense bridge's parameters: for each state and decoder layer, tanh(W [forward; reverse] + b).
    /// </summary>
    private bool BindBridge(ModelSpec model, string bridge, BoundRnnLayer encoder, BoundRnnLayer decoder, List<ModelParameter> parameters)
    {
        if (bridge == "none") return true;
        TextLocation where = model.Bridge?.Location ?? model.Location;
        string Fail(string why)
        {
            _bag.ReportEncoderDecoder(where, $"bridge '{bridge}' {why}");
            return why;
        }
        if (!encoder.States.SequenceEqual(decoder.States))
        {
            Fail($"passes the encoder's states ({string.Join(", ", encoder.States)}) to the decoder, whose cell has states ({string.Join(", ", decoder.States)}); use cells with the same states or 'bridge: none'");
            return false;
        }
        if (encoder.NumLayers != decoder.NumLayers)
        {
            Fail($"sets each decoder layer from the encoder layer at the same depth, but the encoder has {encoder.NumLayers} and the decoder {decoder.NumLayers}; give both the same 'layers' or use 'bridge: none'");
            return false;
        }
        int h = encoder.Hidden, d = encoder.Directions;
        string? problem = bridge switch
        {
            "copy" when d != 1 => "copies a one-direction state, but the encoder is bidirectional; use 'sum', 'concat' or 'dense'",
            "copy" when decoder.Hidden != h => $"copies the encoder's states of size {h}, so the decoder needs 'hidden: {h}' (or use 'bridge: dense')",
            "sum" or "concat" when d != 2 => "combines the two directions of a bidirectional encoder; use 'copy' or 'dense' for a one-direction encoder",
            "sum" when decoder.Hidden != h => $"adds the encoder's two directions of size {h}, so the decoder needs 'hidden: {h}' (or use 'bridge: dense')",
            "concat" when decoder.Hidden != 2 * h => $"joins the encoder's two directions of size {h}, so the decoder needs 'hidden: {2 * h}' (or use 'bridge: dense')",
            _ => null,
        };
        if (problem is not null)
        {
            Fail(problem);
            return false;
        }
        if (bridge == "dense")
        {
            for (int s = 0; s < decoder.States.Count; s++)
            {
                string state = s == 0 ? "h" : decoder.States[s];
                for (int l = 0; l < decoder.NumLayers; l++)
                {
                    parameters.Add(new ModelParameter(BoundEncoderDecoder.BridgeParameter(state, "weight", l), [decoder.Hidden, d * h], BoundEncoderDecoder.BridgeLayer));
                    parameters.Add(new ModelParameter(BoundEncoderDecoder.BridgeParameter(state, "bias", l), [decoder.Hidden], BoundEncoderDecoder.BridgeLayer));
                }
            }
        }
        return true;
    }

    private bool BindAttention(AttentionSpec? spec, string attention, int hidden, int memory, List<ModelParameter> parameters, out int units)
    {
        units = 0;
        const string name = BoundEncoderDecoder.AttentionLayer;
        switch (attention)
        {
            case "additive":
                units = spec?.Units?.Value ?? hidden;
                parameters.Add(new ModelParameter($"{name}.query.weight", [units, hidden], name));
                parameters.Add(new ModelParameter($"{name}.key.weight", [units, memory], name));
                parameters.Add(new ModelParameter($"{name}.key.bias", [units], name));
                parameters.Add(new ModelParameter($"{name}.v.weight", [1, units], name));
                return true;
            case "dot" or "general":
                if (spec?.Units is { } given)
                {
                    _bag.ReportEncoderDecoder(given.Location, $"'units' sizes additive attention's score layer; '{attention}' attention has none, so remove it");
                    return false;
                }
                if (attention == "dot" && hidden != memory)
                {
                    _bag.ReportEncoderDecoder(spec!.Type.Location, $"dot attention multiplies the decoder state ({hidden}) with each encoder output ({memory}), so they need the same size; use 'general' or make the decoder's hidden {memory}");
                    return false;
                }
                if (attention == "general") parameters.Add(new ModelParameter($"{name}.key.weight", [hidden, memory], name));
                parameters.Add(new ModelParameter($"{name}.combine.weight", [hidden, memory + hidden], name));
                return true;
            default:
                return true;
        }
    }
}
