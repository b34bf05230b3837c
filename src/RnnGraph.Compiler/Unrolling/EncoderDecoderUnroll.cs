using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using N = RnnGraph.Compiler.Binding.EncoderDecoderNames;

namespace RnnGraph.Compiler.Unrolling;

/// <summary>
/// Unrolls an encoder-decoder (<see cref="BoundEncoderDecoder"/>) into one graph, or into the two parts decoding runs
/// (<see cref="EncoderDecoderPart"/>). The encoder runs over the source steps as any stack does (masked: packed-sequence
/// semantics); the bridge turns its final states into the decoder's initial ones; each decoder step reads the previous token,
/// attends over the encoder's outputs (padded source steps get no weight) and scores the next token.
/// </summary>
internal static class EncoderDecoderUnroll
{
    /// <summary>Added to the score of a padded source step: its softmax weight is exactly zero.</summary>
    private const double Penalty = 1e9;

    public static Graph Run(BoundModel model, UnrollOptions options)
    {
        var parts = model.EncoderDecoder!;
        var b = new GraphBuilder();
        var outputs = new List<GraphOutput>();
        var decoder = new DecoderStep(b, model, options.Training, options.StateProbes && options.Part == EncoderDecoderPart.Whole);
        int sourceSteps = options.Steps;
        var info = new GraphInfo(sourceSteps, model.BatchFirst, model.Layers.Select(l => l.Name).ToList()) { SourceSteps = sourceSteps };

        if (options.Part == EncoderDecoderPart.DecoderStep)
        {
            // One step from the given memory, keys, source masks, states (and feed): the decoding loop's inner graph.
            var memory = new Node[sourceSteps];
            var keys = decoder.NeedsKeys ? new Node[sourceSteps] : null;
            var masks = new Node[sourceSteps];
            for (int j = 0; j < sourceSteps; j++)
            {
                b.CurrentOrigin = new NodeOrigin(parts.EncoderRnn.Location, N.Memory, Label: $"memory s{j}");
                memory[j] = b.Input(N.Memory, j, new Shape(Shape.Batch, parts.MemorySize));
                if (keys is not null) keys[j] = b.Input(N.Keys, j, new Shape(Shape.Batch, decoder.KeySize));
                masks[j] = b.Input(ModelNames.Mask, j, new Shape(Shape.Batch, 1), InputKind.Mask);
            }
            decoder.Attach(memory, keys, masks);
            var states = StateInputs(b, parts);
            b.CurrentOrigin = new NodeOrigin(parts.DecoderRnn.Location, parts.DecoderRnn.Name, Label: N.DecoderInput);
            var token = b.Input(N.DecoderInput, 0, new Shape(Shape.Batch), InputKind.TokenIds);
            var feed = parts.IsLuong ? b.Input(N.Feed, -1, new Shape(Shape.Batch, parts.DecoderRnn.Hidden)) : null;
            var step = decoder.Step(token, states, feed, 0);
            outputs.Add(new GraphOutput(ModelNames.Output, -1, step.Logits));
            AddStateOutputs(parts, step.States, outputs);
            if (step.Feed is not null) outputs.Add(new GraphOutput(N.Feed, -1, step.Feed));
            if (step.Weights is not null) outputs.Add(new GraphOutput(N.Attention, -1, step.Weights));
            return Graph.FromOutputs("decoder step", outputs, info with { DecoderSteps = 1 });
        }

        var (encoded, initial, sourceMasks) = Encode(b, model, options);
        decoder.Attach(encoded, null, sourceMasks);
        if (options.Part == EncoderDecoderPart.Encoder)
        {
            for (int j = 0; j < sourceSteps; j++)
            {
                outputs.Add(new GraphOutput(N.Memory, j, encoded[j]));
                if (decoder.NeedsKeys) outputs.Add(new GraphOutput(N.Keys, j, decoder.Key(j)));
            }
            AddStateOutputs(parts, initial, outputs);
            return Graph.FromOutputs("encoder", outputs, info);
        }

        // Callers that know only one length (summaries, estimates, dumps) get as many decoder steps as source steps.
        int targetSteps = options.TargetSteps > 0 ? options.TargetSteps : sourceSteps;
        var state = initial;
        Node? fed = parts.IsLuong ? ZeroFeed(b, parts) : null;
        Node? logits = null;
        for (int t = 0; t < targetSteps; t++)
        {
            b.CurrentOrigin = new NodeOrigin(parts.DecoderRnn.Location, parts.DecoderRnn.Name, Step: t, Label: N.DecoderInput);
            var token = b.Input(N.DecoderInput, t, new Shape(Shape.Batch), InputKind.TokenIds);
            if (options.SampledTeacherForcing && t > 0)
            {
                // teacher 1: the reference token; 0: the previous output's argmax (chosen, so no gradient flows through it).
                var teacher = b.Input(N.Teacher, t, new Shape(Shape.Batch), InputKind.Mask);
                var predicted = b.ArgmaxLast(logits!);
                token = b.Add(predicted, b.Mul(teacher, b.Sub(token, predicted)));
            }
            var step = decoder.Step(token, state, fed, t);
            state = step.States;
            fed = step.Feed;
            logits = step.Logits;
            outputs.Add(new GraphOutput(ModelNames.Output, t, logits));
        }
        return Graph.FromOutputs("unrolled", outputs, info with { Steps = targetSteps, DecoderSteps = targetSteps });
    }

    /// <summary>The encoder's layers over the source, then the bridge: the memory, the decoder's initial states [layer][state], the masks.</summary>
    private static (Node[] Memory, Node[][] Initial, Node[]? Masks) Encode(GraphBuilder b, BoundModel model, UnrollOptions options)
    {
        var parts = model.EncoderDecoder!;
        int steps = options.Steps;
        var sequence = UnrollPass.InputSteps(b, model, steps);
        var masks = options.Masked ? UnrollPass.MaskSteps(b, model, steps) : null;
        var finals = new List<GraphOutput>();
        var encoderOptions = new UnrollOptions(steps, null, options.Masked, options.Training) { StateProbes = options.StateProbes };
        foreach (var layer in parts.Encoder)
        {
            sequence = layer switch
            {
                BoundEmbedLayer e => UnrollPass.Embed(b, e, sequence),
                BoundDenseLayer d => UnrollPass.Dense(b, d, sequence),
                BoundRnnLayer r => UnrollPass.Recurrent(b, model, r, sequence, encoderOptions, masks, finals),
                _ => throw new InvalidOperationException($"unknown layer {layer.GetType().Name}"),
            };
        }
        return (sequence, Bridge(b, model, finals), masks);
    }

    /// <summary>
    /// The decoder's initial states from the last encoder layer's final ones, layer l from layer l: copied, the directions
    /// summed or concatenated, or tanh(W [forward; reverse] + b); zeros without a bridge.
    /// </summary>
    private static Node[][] Bridge(GraphBuilder b, BoundModel model, List<GraphOutput> finals)
    {
        var parts = model.EncoderDecoder!;
        var encoder = parts.EncoderRnn;
        var decoder = parts.DecoderRnn;
        var result = new Node[decoder.NumLayers][];
        for (int l = 0; l < decoder.NumLayers; l++)
        {
            result[l] = new Node[decoder.States.Count];
            for (int s = 0; s < decoder.States.Count; s++)
            {
                b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.BridgeLayer, l, Label: parts.Bridge + " " + N.StateStem(decoder, s));
                if (parts.Bridge == "none")
                {
                    result[l][s] = b.Zeros(new Shape(Shape.Batch, decoder.Hidden));
                    continue;
                }
                string name = ModelNames.FinalState(model, encoder, s);
                var directions = finals.Where(o => o.Name == name && o.Index / encoder.Directions == l).OrderBy(o => o.Index).Select(o => o.Node).ToArray();
                result[l][s] = parts.Bridge switch
                {
                    "copy" => directions[0],
                    "sum" => b.Add(directions[0], directions[1]),
                    "concat" => b.ConcatLast(directions),
                    _ => Dense(b, b.ConcatLast(directions), N.StateStem(decoder, s), l, decoder.Hidden, encoder.Directions * encoder.Hidden),
                };
            }
        }
        return result;
    }

    private static Node Dense(GraphBuilder b, Node x, string state, int layer, int rows, int columns)
    {
        var weight = b.Param(BoundEncoderDecoder.BridgeParameter(state, "weight", layer), new Shape(rows, columns));
        var bias = b.Param(BoundEncoderDecoder.BridgeParameter(state, "bias", layer), new Shape(rows));
        return b.Apply("tanh", b.Add(b.MatMul(x, weight, false, true), bias));
    }

    private static Node ZeroFeed(GraphBuilder b, BoundEncoderDecoder parts)
    {
        b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.AttentionLayer, Label: "feed");
        return b.Zeros(new Shape(Shape.Batch, parts.DecoderRnn.Hidden));
    }

    private static Node[][] StateInputs(GraphBuilder b, BoundEncoderDecoder parts)
    {
        var decoder = parts.DecoderRnn;
        var states = new Node[decoder.NumLayers][];
        for (int l = 0; l < decoder.NumLayers; l++)
        {
            states[l] = new Node[decoder.States.Count];
            for (int s = 0; s < decoder.States.Count; s++)
            {
                b.CurrentOrigin = new NodeOrigin(decoder.Location, decoder.Name, l, Label: "state");
                states[l][s] = b.Input(N.State(N.StateStem(decoder, s)), l, new Shape(Shape.Batch, decoder.Hidden));
            }
        }
        return states;
    }

    private static void AddStateOutputs(BoundEncoderDecoder parts, Node[][] states, List<GraphOutput> outputs)
    {
        for (int s = 0; s < parts.DecoderRnn.States.Count; s++)
            for (int l = 0; l < states.Length; l++)
                outputs.Add(new GraphOutput(N.State(N.StateStem(parts.DecoderRnn, s)), l, states[l][s]));
    }

    /// <summary>What one decoder step gives: the logits, the new states [layer][state], Luong's feed and the attention weights.</summary>
    private sealed record StepResult(Node Logits, Node[][] States, Node? Feed, Node? Weights);

    /// <summary>
    /// The decoder's parameters (made once per graph) and one step of it over an attached memory. The keys of the memory (W_k h_j + b
    /// for additive attention, W_a h_j for general) are computed once per source step, not per decoder step.
    /// </summary>
    private sealed class DecoderStep
    {
        private readonly GraphBuilder _b;
        private readonly BoundEncoderDecoder _parts;
        private readonly bool _training;
        private readonly bool _probes;
        private readonly Node? _embed;
        private readonly Dictionary<string, Node>[] _cellParams;
        private readonly (Node Weight, Node? Bias)[] _head;
        private readonly Node? _query, _keyWeight, _keyBias, _v, _combine;
        private Node[] _memory = [];
        private Node?[] _keys = [];
        private Node?[] _penalties = [];

        /// <param name="probes">Adds the state probes (<see cref="UnrollOptions.StateProbes"/>) to each layer's new first state at every step.</param>
        public DecoderStep(GraphBuilder b, BoundModel model, bool training, bool probes)
        {
            _b = b;
            _training = training;
            _probes = probes;
            var parts = _parts = model.EncoderDecoder!;
            if (parts.DecoderEmbed is { } embed)
            {
                b.CurrentOrigin = new NodeOrigin(embed.Location, embed.Name);
                _embed = b.Param($"{embed.Name}.weight", new Shape(embed.Vocab, embed.Dim));
            }
            var rnn = parts.DecoderRnn;
            _cellParams = new Dictionary<string, Node>[rnn.NumLayers];
            for (int l = 0; l < rnn.NumLayers; l++)
            {
                b.CurrentOrigin = new NodeOrigin(rnn.Location, rnn.Name, l);
                _cellParams[l] = rnn.Cells[l].Params.ToDictionary(p => p.Name, p => b.Param(ModelNames.Parameter(rnn.Name, p.Name, l, 0), new Shape(p.Dims)));
            }
            _head = parts.Head.Select(d =>
            {
                b.CurrentOrigin = new NodeOrigin(d.Location, d.Name);
                return (b.Param($"{d.Name}.weight", new Shape(d.Units, d.InputSize)), d.Bias ? b.Param($"{d.Name}.bias", new Shape(d.Units)) : null);
            }).ToArray();
            const string a = BoundEncoderDecoder.AttentionLayer;
            b.CurrentOrigin = new NodeOrigin(null, a);
            int h = rnn.Hidden, e = parts.MemorySize, u = parts.AttentionUnits;
            switch (parts.Attention)
            {
                case "additive":
                    _query = b.Param($"{a}.query.weight", new Shape(u, h));
                    _keyWeight = b.Param($"{a}.key.weight", new Shape(u, e));
                    _keyBias = b.Param($"{a}.key.bias", new Shape(u));
                    _v = b.Param($"{a}.v.weight", new Shape(1, u));
                    break;
                case "dot" or "general":
                    if (parts.Attention == "general") _keyWeight = b.Param($"{a}.key.weight", new Shape(h, e));
                    _combine = b.Param($"{a}.combine.weight", new Shape(h, e + h));
                    break;
            }
        }

        public bool NeedsKeys => _keyWeight is not null;

        public int KeySize => _parts.Attention == "additive" ? _parts.AttentionUnits : _parts.DecoderRnn.Hidden;

        /// <summary>Sets the memory the steps attend over; keys not given are computed from it when first needed.</summary>
        public void Attach(Node[] memory, Node[]? keys, Node[]? masks)
        {
            _memory = memory;
            _keys = keys is null ? new Node?[memory.Length] : keys;
            _penalties = new Node?[memory.Length];
            for (int j = 0; j < memory.Length && masks is not null; j++)
            {
                // Labelled by source step (s0, s1, ...): t= in a dump always counts decoder steps.
                _b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.AttentionLayer, Label: $"padding penalty s{j}");
                _penalties[j] = _b.Mul(_b.Sub(masks[j], _b.Const(1)), _b.Const(Penalty));
            }
        }

        /// <summary>The attention's key of source step j (the memory itself for dot attention).</summary>
        public Node Key(int j)
        {
            if (_keys[j] is { } key) return key;
            if (_keyWeight is null) return _memory[j];
            _b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.AttentionLayer, Label: $"key s{j}");
            key = _b.MatMul(_memory[j], _keyWeight, false, true);
            if (_keyBias is not null) key = _b.Add(key, _keyBias);
            return (_keys[j] = key)!;
        }

        public StepResult Step(Node token, Node[][] states, Node? feed, int t)
        {
            var b = _b;
            var parts = _parts;
            var rnn = parts.DecoderRnn;
            b.CurrentOrigin = new NodeOrigin(parts.DecoderEmbed?.Location ?? rnn.Location, parts.DecoderEmbed?.Name ?? rnn.Name, Step: t, Label: "embed");
            var x = _embed is not null ? b.GatherRows(_embed, token)
                : b.ScatterLast(b.BroadcastTo(b.Const(1), new Shape(Shape.Batch, 1)), token, parts.TargetVocab);
            Node? context = null, weights = null;
            if (parts.Attention == "additive")
            {
                // Bahdanau: attend from the previous top state; the context joins the input and the head.
                (context, weights) = Attend(states[^1][0], t);
                b.CurrentOrigin = new NodeOrigin(rnn.Location, rnn.Name, Step: t, Label: "input");
                x = b.ConcatLast(x, context);
            }
            else if (parts.IsLuong)
            {
                b.CurrentOrigin = new NodeOrigin(rnn.Location, rnn.Name, Step: t, Label: "input feeding");
                x = b.ConcatLast(x, feed!);
            }
            var newStates = new Node[rnn.NumLayers][];
            for (int l = 0; l < rnn.NumLayers; l++)
            {
                var origin = new NodeOrigin(null, rnn.Name, l, 0, t);
                var step = new CellStep(b, rnn.Cells[l], _cellParams[l], x, states[l], origin);
                // With probes, h_t + probe feeds the next step, the layer above, the attention and the head: its gradient is dL/dh_t.
                (newStates[l], x) = _probes
                    ? UnrollPass.Probed(b, rnn, l, 0, t, step, origin with { Location = rnn.Location, Label = "probe" })
                    : (step.NewStates, step.Output);
                if (_training && rnn.Dropout > 0 && l < rnn.NumLayers - 1)
                {
                    b.CurrentOrigin = new NodeOrigin(rnn.Location, rnn.Name, l, -1, t, "dropout");
                    x = b.Mul(x, b.DropoutMask($"{rnn.Name}.dropout_l{l}", t, x.Shape, rnn.Dropout));
                }
            }
            Node? newFeed = null;
            if (parts.Attention == "additive")
            {
                b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.AttentionLayer, Step: t, Label: "state and context");
                x = b.ConcatLast(x, context!);
            }
            else if (parts.IsLuong)
            {
                // Luong: attend from the new top state; tanh(W_c [context; state]) is the attentional vector, fed to the next step.
                (context, weights) = Attend(x, t);
                b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.AttentionLayer, Step: t, Label: "attentional vector");
                x = newFeed = b.Apply("tanh", b.MatMul(b.ConcatLast(context, x), _combine!, false, true));
            }
            for (int i = 0; i < parts.Head.Count; i++)
            {
                var layer = parts.Head[i];
                b.CurrentOrigin = new NodeOrigin(layer.Location, layer.Name, Step: t, Label: "dense");
                var (weight, bias) = _head[i];
                x = b.MatMul(x, weight, false, true);
                if (bias is not null) x = b.Add(x, bias);
                // The last layer's activation is left to the loss and the decoders, which work on logits.
                if (i < parts.Head.Count - 1 && layer.Activation is "softmax" or "log_softmax") x = b.Apply(layer.Activation, x);
            }
            return new StepResult(x, newStates, newFeed, weights);
        }

        /// <summary>Scores every source step against the query, softmax over the valid ones, and the weighted sum of the memory.</summary>
        private (Node Context, Node Weights) Attend(Node query, int t)
        {
            var b = _b;
            var parts = _parts;
            int steps = _memory.Length;
            var scores = new Node[steps];
            Node? projected = null;
            if (parts.Attention == "additive")
            {
                b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.AttentionLayer, Step: t, Label: "query");
                projected = b.MatMul(query, _query!, false, true);
            }
            for (int j = 0; j < steps; j++)
            {
                var key = Key(j);
                b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.AttentionLayer, Step: t, Label: $"score s{j}");
                var score = parts.Attention == "additive"
                    ? b.MatMul(b.Apply("tanh", b.Add(key, projected!)), _v!, false, true)
                    : b.SumLast(b.Mul(query, key));
                scores[j] = _penalties[j] is { } penalty ? b.Add(score, penalty) : score;
            }
            b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.AttentionLayer, Step: t, Label: "weights");
            var weights = b.Apply("softmax", b.ConcatLast(scores));
            b.CurrentOrigin = new NodeOrigin(null, BoundEncoderDecoder.AttentionLayer, Step: t, Label: "context");
            Node context = b.Mul(b.SliceLast(weights, 0, 1), _memory[0]);
            for (int j = 1; j < steps; j++) context = b.Add(context, b.Mul(b.SliceLast(weights, j, 1), _memory[j]));
            return (context, weights);
        }
    }
}
