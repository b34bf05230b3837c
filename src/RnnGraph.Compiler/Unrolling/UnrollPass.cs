using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Unrolling;

/// <summary>
/// Unrolls a bound model over T steps into one forward graph. Data enters as per-step inputs
/// <c>x[t]</c>; the graph's outputs are <c>y[t]</c> and the final states (<c>h_n[k]</c>, <c>c_n[k]</c>,
/// k = layer * directions + direction, PyTorch's order).
/// </summary>
public static class UnrollPass
{
    public static Graph Run(BoundModel model, UnrollOptions options)
    {
        if (options.Steps < 1) throw new ArgumentOutOfRangeException(nameof(options), "steps must be at least 1");
        if (model.IsEncoderDecoder) return EncoderDecoderUnroll.Run(model, options);
        if (model.OneToOne && options.Masked)
            throw new ArgumentException("a one-to-one model runs one step per example, so it has no lengths", nameof(options));
        var b = new GraphBuilder();
        // One-to-one has no time axis: whatever the steps asked for, every layer runs once.
        int steps = model.OneToOne ? 1 : options.Steps;
        var input = model.Input;
        var sequence = new Node[steps];
        Node? condition = null;
        if (model.OneToMany)
        {
            b.CurrentOrigin = new NodeOrigin(input.Location, Label: input.Name);
            condition = b.Input(input.Name, -1, new Shape(Shape.Batch, input.Size));
            for (int t = 0; t < steps; t++)
            {
                b.CurrentOrigin = new NodeOrigin(input.Location, Step: t, Label: ModelNames.Feedback);
                sequence[t] = b.Input(ModelNames.Feedback, t, new Shape(Shape.Batch), InputKind.TokenIds);
                if (model.Layers[0] is BoundEmbedLayer) continue;
                sequence[t] = b.ScatterLast(b.BroadcastTo(b.Const(1), new Shape(Shape.Batch, 1)), sequence[t], model.FeedbackVocab);
                if (model.Condition == "first-step") sequence[t] = WithCondition(b, model, condition, sequence[t], t);
            }
        }
        if (!model.OneToMany) sequence = InputSteps(b, model, steps);
        var masks = options.Masked ? MaskSteps(b, model, steps) : null;

        var outputs = new List<GraphOutput>();
        var stateOutputs = new List<GraphOutput>();
        var pooled = model.ManyToOne ? model.Layers.Last(l => l is BoundRnnLayer) : null;
        var conditioned = model.ConditionedLayer;
        foreach (var layer in model.Layers)
        {
            Node[]? last = layer == pooled ? new Node[((BoundRnnLayer)layer).Directions] : null;
            sequence = layer switch
            {
                BoundEmbedLayer e => Embed(b, e, sequence),
                BoundDenseLayer d => Dense(b, d, sequence),
                BoundRnnLayer r => Recurrent(b, model, r, sequence, options, masks, stateOutputs, last,
                                             r == conditioned ? ConditionStates(b, r, condition!) : null),
                _ => throw new InvalidOperationException($"unknown layer {layer.GetType().Name}"),
            };
            // Many-to-one: the sequence becomes one vector here; the layers after it run once.
            if (last is not null) sequence = [Pooling.Pool(b, model, (BoundRnnLayer)layer, sequence, masks, last)];
            // One-to-many with an embed layer first: the condition joins the embedded fed-back token.
            if (model.OneToMany && model.Condition == "first-step" && layer == model.Layers[0] && layer is BoundEmbedLayer)
                for (int t = 0; t < steps; t++) sequence[t] = WithCondition(b, model, condition!, sequence[t], t);
        }
        if (model.OneOutputPerExample)
        {
            outputs.Add(new GraphOutput(ModelNames.Output, -1, sequence[0]));
            outputs.AddRange(stateOutputs);
            return Graph.FromOutputs("unrolled", outputs, new GraphInfo(steps, model.BatchFirst, model.Layers.Select(l => l.Name).ToList()));
        }
        // A recurrent layer already zeroes its outputs past each end; a layer after it (a dense bias) does not.
        if (masks is not null && model.Layers[^1] is not BoundRnnLayer)
        {
            for (int t = 0; t < steps; t++)
            {
                b.CurrentOrigin = new NodeOrigin(model.Layers[^1].Location, model.Layers[^1].Name, Step: t, Label: "mask");
                sequence[t] = b.Mul(sequence[t], masks[t]);
            }
        }
        for (int t = 0; t < steps; t++) outputs.Add(new GraphOutput(ModelNames.Output, t, sequence[t]));
        outputs.AddRange(stateOutputs);
        var info = new GraphInfo(steps, model.BatchFirst, model.Layers.Select(l => l.Name).ToList());
        return Graph.FromOutputs("unrolled", outputs, info);
    }

    /// <summary>The model input at each step: token ids [B] (one-hot [B,V] when asked), or features [B,I].</summary>
    internal static Node[] InputSteps(GraphBuilder b, BoundModel model, int steps)
    {
        var input = model.Input;
        var sequence = new Node[steps];
        for (int t = 0; t < steps; t++)
        {
            b.CurrentOrigin = new NodeOrigin(input.Location, Step: t, Label: input.Name);
            // One-to-one has no time axis: its input is one whole [B,I] (or [B]) tensor.
            int index = model.OneToOne ? -1 : t;
            sequence[t] = input.IsTokens
                ? b.Input(input.Name, index, new Shape(Shape.Batch), InputKind.TokenIds)
                : b.Input(input.Name, index, new Shape(Shape.Batch, input.Size));
            // A one-hot vector is a 1 scattered to the token's column of a zero row.
            if (input.OneHot)
                sequence[t] = b.ScatterLast(b.BroadcastTo(b.Const(1), new Shape(Shape.Batch, 1)), sequence[t], input.Vocab);
        }
        return sequence;
    }

    /// <summary>The step masks <c>mask[t]</c> [B,1] of variable-length input sequences.</summary>
    internal static Node[] MaskSteps(GraphBuilder b, BoundModel model, int steps)
    {
        var masks = new Node[steps];
        for (int t = 0; t < steps; t++)
        {
            b.CurrentOrigin = new NodeOrigin(model.Input.Location, Step: t, Label: "mask");
            masks[t] = b.Input(ModelNames.Mask, t, new Shape(Shape.Batch, 1), InputKind.Mask);
        }
        return masks;
    }

    /// <summary>One-to-many, condition first-step: the step input is concat(c at step 0, zeros after; the fed-back token's vector).</summary>
    private static Node WithCondition(GraphBuilder b, BoundModel model, Node condition, Node token, int t)
    {
        b.CurrentOrigin = new NodeOrigin(model.Input.Location, Step: t, Label: "condition");
        return b.ConcatLast(t == 0 ? condition : b.Zeros(condition.Shape), token);
    }

    /// <summary>
    /// One-to-many, condition state: tanh(c W^T + b) [B, L·D·H] with <c>condition.weight</c> [L·D·H, C]; the initial
    /// first state of stacked layer and direction k is its slice k·H ..< (k+1)·H.
    /// </summary>
    private static Node ConditionStates(GraphBuilder b, BoundRnnLayer layer, Node condition)
    {
        b.CurrentOrigin = new NodeOrigin(layer.Location, layer.Name, Label: "condition");
        int rows = layer.NumLayers * layer.Directions * layer.Hidden;
        var weight = b.Param(ModelNames.ConditionParameter(layer.Name, "weight"), new Shape(rows, condition.Shape.Last));
        var bias = b.Param(ModelNames.ConditionParameter(layer.Name, "bias"), new Shape(rows));
        return b.Apply("tanh", b.Add(b.MatMul(condition, weight, false, true), bias));
    }

    /// <summary>
    /// Each sequence's last valid output of one direction: the forward direction's at its own last step (a
    /// mask-blended running value when lengths differ), the reverse direction's at step 0.
    /// </summary>
    private static Node LastOutput(GraphBuilder b, Node[] outputs, Node[]? masks, int direction)
    {
        if (direction == 1) return outputs[0];
        if (masks is null) return outputs[^1];
        var last = outputs[0];
        for (int t = 1; t < outputs.Length; t++) last = b.Add(last, b.Mul(masks[t], b.Sub(outputs[t], last)));
        return last;
    }

    internal static Node[] Embed(GraphBuilder b, BoundEmbedLayer layer, Node[] ids)
    {
        b.CurrentOrigin = new NodeOrigin(layer.Location, layer.Name);
        var table = b.Param($"{layer.Name}.weight", new Shape(layer.Vocab, layer.Dim));
        return ids.Select((id, t) =>
        {
            b.CurrentOrigin = new NodeOrigin(layer.Location, layer.Name, Step: t, Label: "embed");
            return b.GatherRows(table, id);
        }).ToArray();
    }

    internal static Node[] Dense(GraphBuilder b, BoundDenseLayer layer, Node[] sequence)
    {
        b.CurrentOrigin = new NodeOrigin(layer.Location, layer.Name);
        var weight = b.Param($"{layer.Name}.weight", new Shape(layer.Units, layer.InputSize));
        var bias = layer.Bias ? b.Param($"{layer.Name}.bias", new Shape(layer.Units)) : null;
        var result = new Node[sequence.Length];
        for (int t = 0; t < sequence.Length; t++)
        {
            b.CurrentOrigin = new NodeOrigin(layer.Location, layer.Name, Step: t, Label: "dense");
            var y = b.MatMul(sequence[t], weight, false, true);
            if (bias is not null) y = b.Add(y, bias);
            if (layer.Activation is "softmax" or "log_softmax") y = b.Apply(layer.Activation, y);
            result[t] = y;
        }
        return result;
    }

    /// <summary>
    /// The step's new states and output with the state probe added to the first state h_t (and to the output when the
    /// output is h_t), so h_t + probe feeds both the recurrence and the layers above. The mask blending, if any, comes
    /// after: past a sequence's end the probe reaches nothing and its gradient is exactly zero.
    /// </summary>
    internal static (Node[] States, Node Output) Probed(GraphBuilder b, BoundRnnLayer layer, int l, int d, int t, CellStep step, NodeOrigin origin)
    {
        b.CurrentOrigin = origin;
        var h = step.NewStates[0];
        var probe = b.Input(StateProbes.Name(layer.Name, l, d), t, h.Shape);
        var probed = b.Add(h, probe);
        var states = step.NewStates.ToArray();
        states[0] = probed;
        return (states, step.Output == h ? probed : step.Output);
    }

    internal static Node[] Recurrent(GraphBuilder b, BoundModel model, BoundRnnLayer layer, Node[] sequence, UnrollOptions options,
                                    Node[]? masks, List<GraphOutput> stateOutputs, Node[]? last = null, Node? conditionStates = null)
    {
        int steps = sequence.Length;
        int stateCount = layer.States.Count;
        var finals = new Node[stateCount][];
        for (int s = 0; s < stateCount; s++) finals[s] = new Node[layer.NumLayers * layer.Directions];

        for (int l = 0; l < layer.NumLayers; l++)
        {
            var cell = layer.Cells[l];
            var perDirection = new Node[layer.Directions][];
            for (int d = 0; d < layer.Directions; d++)
            {
                int k = l * layer.Directions + d;
                b.CurrentOrigin = new NodeOrigin(layer.Location, layer.Name, l, d);
                var parameters = cell.Params.ToDictionary(p => p.Name, p => b.Param(ModelNames.Parameter(layer.Name, p.Name, l, d), new Shape(p.Dims)));
                var state = new Node[stateCount];
                for (int s = 0; s < stateCount; s++)
                {
                    string name = ModelNames.InitialState(model, layer, s);
                    var shape = new Shape(Shape.Batch, cell.Hidden);
                    state[s] = options.IsGiven(name) ? b.Input(name, k, shape)
                        : s == 0 && conditionStates is not null ? b.SliceLast(conditionStates, k * cell.Hidden, cell.Hidden)
                        : b.Zeros(shape);
                }

                var outputs = new Node[steps];
                // Variational dropout: one mask per sequence, the same at every step.
                Node? recurrentMask = options.Training && layer.RecurrentDropout > 0
                    ? b.DropoutMask($"{layer.Name}.recurrent_dropout_l{l}{(d == 1 ? "_reverse" : "")}", -1, new Shape(Shape.Batch, cell.Hidden), layer.RecurrentDropout)
                    : null;
                for (int i = 0; i < steps; i++)
                {
                    int t = d == 0 ? i : steps - 1 - i;
                    var origin = new NodeOrigin(null, layer.Name, l, d, t);
                    var step = new CellStep(b, cell, parameters, sequence[t], state, origin, recurrentMask);
                    var (newStates, output) = options.StateProbes
                        ? Probed(b, layer, l, d, t, step, origin with { Location = layer.Location, Label = "probe" })
                        : (step.NewStates, step.Output);
                    outputs[t] = output;
                    if (masks is null)
                    {
                        state = newStates;
                        continue;
                    }
                    // Past a sequence's end (mask 0) its states stay as they were and its output is zero, so the
                    // reverse direction starts from the initial state at the sequence's own last step.
                    b.CurrentOrigin = origin with { Location = layer.Location, Label = "mask" };
                    for (int s = 0; s < stateCount; s++)
                        state[s] = b.Add(state[s], b.Mul(masks[t], b.Sub(newStates[s], state[s])));
                    outputs[t] = b.Mul(masks[t], output);
                }
                perDirection[d] = outputs;
                if (last is not null && l == layer.NumLayers - 1) last[d] = LastOutput(b, outputs, masks, d);
                for (int s = 0; s < stateCount; s++) finals[s][k] = state[s];
            }
            sequence = layer.Directions == 1
                ? perDirection[0]
                : Enumerable.Range(0, steps).Select(t =>
                {
                    b.CurrentOrigin = new NodeOrigin(layer.Location, layer.Name, l, -1, t, layer.Merge + " directions");
                    Node forward = perDirection[0][t], reverse = perDirection[1][t];
                    return layer.Merge switch
                    {
                        "sum" => b.Add(forward, reverse),
                        "mul" => b.Mul(forward, reverse),
                        "ave" => b.Mul(b.Add(forward, reverse), b.Const(0.5)),
                        _ => b.ConcatLast(forward, reverse),
                    };
                }).ToArray();
            if (options.Training && layer.Dropout > 0 && l < layer.NumLayers - 1)
            {
                for (int t = 0; t < steps; t++)
                {
                    b.CurrentOrigin = new NodeOrigin(layer.Location, layer.Name, l, -1, t, "dropout");
                    var output = sequence[t];
                    sequence[t] = b.Mul(output, b.DropoutMask($"{layer.Name}.dropout_l{l}", t, output.Shape, layer.Dropout));
                }
            }
        }
        for (int s = 0; s < stateCount; s++)
        {
            string name = ModelNames.FinalState(model, layer, s);
            for (int k = 0; k < finals[s].Length; k++) stateOutputs.Add(new GraphOutput(name, k, finals[s][k]));
        }
        return sequence;
    }
}
