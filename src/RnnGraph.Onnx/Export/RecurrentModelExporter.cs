using RnnGraph.Compiler.Binding;
using static RnnGraph.Onnx.Export.OnnxGraphBuilder;
using static RnnGraph.Onnx.Proto.TensorProto.Types;

namespace RnnGraph.Onnx.Export;

/// <summary>
/// Exports a model whose recurrent layers all use built-in cells: one ONNX RNN/GRU/LSTM operator per stacked
/// layer (PyTorch's gate order mapped to ONNX's, B = [b_ih, b_hh]), embeddings as Gather, dense layers as
/// MatMul + Add (+ Softmax). Sequence length and batch stay symbolic ("seq", "batch").
/// </summary>
internal static class RecurrentModelExporter
{
    private const string Seq = "seq", Batch = "batch";

    public static void Build(OnnxGraphBuilder b, BoundModel model, IReadOnlyDictionary<string, float[]> weights, OnnxExportOptions options)
    {
        var input = model.Input;
        b.Reserve(input.Name);
        foreach (var name in OutputNames(model)) b.Reserve(name);
        string current;
        if (input.IsTokens)
        {
            b.Input(input.Name, DataType.Int64, model.BatchFirst ? [Batch, Seq] : [Seq, Batch]);
            current = model.BatchFirst ? b.Node("Transpose", "ids_time_major", [input.Name], Ints("perm", 1, 0)) : input.Name;
            if (input.OneHot)
                current = b.Node("Gather", "one_hot", [b.Floats("one_hot.table", Identity(input.Vocab), input.Vocab, input.Vocab), current], Int("axis", 0));
        }
        else
        {
            b.Input(input.Name, DataType.Float, model.BatchFirst ? [Batch, Seq, input.Size] : [Seq, Batch, input.Size]);
            current = model.BatchFirst ? b.Node("Transpose", "x_time_major", [input.Name], Ints("perm", 1, 0, 2)) : input.Name;
        }

        var pooledLayer = model.ManyToOne ? model.RnnLayers.Last() : null;
        foreach (var layer in model.Layers)
        {
            current = layer switch
            {
                BoundEmbedLayer e => b.Node("Gather", e.Name + ".lookup", [b.Floats(e.Name + ".weight", weights[e.Name + ".weight"], e.Vocab, e.Dim), current], Int("axis", 0)),
                BoundRnnLayer r => RecurrentLayer(b, model, r, current, weights, options, pooled: r == pooledLayer),
                BoundDenseLayer d => Dense(b, d, current, weights),
                _ => throw new OnnxException($"layer '{layer.Name}' ({layer.GetType().Name}) cannot be exported to ONNX"),
            };
        }
        bool sequence = !model.ManyToOne;
        if (sequence && model.BatchFirst) current = b.Node("Transpose", "y_batch_major", [current], Ints("perm", 1, 0, 2));
        b.Rename(current, ModelNames.Output);
        int outputSize = model.Layers[^1].OutputSize;
        if (!sequence) b.Output(ModelNames.Output, DataType.Float, Batch, outputSize);
        else b.Output(ModelNames.Output, DataType.Float, model.BatchFirst ? [Batch, Seq, outputSize] : [Seq, Batch, outputSize]);
        foreach (var r in model.RnnLayers)
            for (int s = 0; s < r.States.Count; s++)
                b.Output(ModelNames.FinalState(model, r, s), DataType.Float, r.NumLayers * r.Directions, Batch, r.Hidden);
    }

    internal static IEnumerable<string> OutputNames(BoundModel model) =>
        model.RnnLayers.SelectMany(r => Enumerable.Range(0, r.States.Count).Select(s => ModelNames.FinalState(model, r, s))).Prepend(ModelNames.Output);

    /// <summary>The ONNX operator of a built-in cell, its gate count and where each ONNX gate comes from in PyTorch's order.</summary>
    private static (string Op, int[] GateOrder) Operator(string cell) => cell switch
    {
        "rnn_tanh" or "rnn_relu" => ("RNN", [0]),
        // PyTorch r,z,n -> ONNX z,r,h.
        "gru" or "gru_reset_before" => ("GRU", [1, 0, 2]),
        // PyTorch i,f,g,o -> ONNX i,o,f,c.
        "lstm" or "lstm_peephole" => ("LSTM", [0, 3, 1, 2]),
        _ => throw new InvalidOperationException($"cell '{cell}' has no ONNX operator"),
    };

    private static string RecurrentLayer(OnnxGraphBuilder b, BoundModel model, BoundRnnLayer r, string current,
        IReadOnlyDictionary<string, float[]> weights, OnnxExportOptions options, bool pooled)
    {
        string cell = r.Cells[0].Name;
        var (op, order) = Operator(cell);
        int gates = order.Length, h = r.Hidden, dirs = r.Directions, stateCount = r.States.Count;
        bool peepholes = cell == "lstm_peephole";
        var initial = new string?[stateCount];
        if (options.InitialStates)
        {
            for (int s = 0; s < stateCount; s++)
            {
                initial[s] = ModelNames.InitialState(model, r, s);
                if (!b.Reserve(initial[s]!))
                    throw new OnnxException($"the initial-state input '{initial[s]}' of layer '{r.Name}' has the name of another graph value; rename the layer");
                b.Input(initial[s]!, DataType.Float, r.NumLayers * dirs, Batch, h);
            }
        }
        var finals = Enumerable.Range(0, stateCount).Select(_ => new List<string>()).ToArray();
        for (int l = 0; l < r.NumLayers; l++)
        {
            int inputSize = r.Cells[l].Input;
            string stem = $"{r.Name}.l{l}";
            var w = new List<float>();
            var rec = new List<float>();
            var bias = new List<float>();
            var p = new List<float>();
            for (int d = 0; d < dirs; d++)
            {
                string Param(string name) => ModelNames.Parameter(r.Name, name, l, d);
                w.AddRange(Reorder(weights[Param("weight_ih")], h * inputSize, order));
                rec.AddRange(Reorder(weights[Param("weight_hh")], h * h, order));
                if (r.Bias)
                {
                    bias.AddRange(Reorder(weights[Param("bias_ih")], h, order));
                    bias.AddRange(Reorder(weights[Param("bias_hh")], h, order));
                }
                else bias.AddRange(new float[2 * gates * h]);
                // RnnGraph's weight_p is [p_i, p_o, p_f], ONNX's P order already.
                if (peepholes) p.AddRange(weights[Param("weight_p")]);
            }
            var inputs = new List<string>
            {
                current,
                b.Floats(stem + ".W", [.. w], dirs, gates * h, inputSize),
                b.Floats(stem + ".R", [.. rec], dirs, gates * h, h),
                b.Floats(stem + ".B", [.. bias], dirs, 2 * gates * h),
                "", // sequence_lens: every sequence runs all steps
            };
            for (int s = 0; s < stateCount; s++)
                inputs.Add(initial[s] is { } given ? SliceAxis(b, given, 0, l * dirs, (l + 1) * dirs, $"{stem}.initial_{r.States[s]}") : "");
            if (peepholes) inputs.Add(b.Floats(stem + ".P", [.. p], dirs, 3 * h));

            var attributes = new List<Proto.AttributeProto>
            {
                Int("hidden_size", h),
                String("direction", dirs == 2 ? "bidirectional" : "forward"),
            };
            if (cell == "rnn_relu") attributes.Add(Strings("activations", [.. Enumerable.Repeat("Relu", dirs)]));
            if (op == "GRU") attributes.Add(Int("linear_before_reset", cell == "gru" ? 1 : 0));
            string[] stems = op == "LSTM" ? [stem + ".Y", stem + ".Y_h", stem + ".Y_c"] : [stem + ".Y", stem + ".Y_h"];
            var outputs = b.Nodes(op, stems, inputs, [.. attributes]);
            for (int s = 0; s < stateCount; s++) finals[s].Add(outputs[1 + s]);
            bool last = l == r.NumLayers - 1;
            current = last && pooled
                ? Merge(b, outputs[1], directionAxis: 0, dirs, r.Merge, stem + ".last")
                : Merge(b, outputs[0], directionAxis: 1, dirs, r.Merge, stem + ".out");
        }
        for (int s = 0; s < stateCount; s++)
        {
            string stacked = finals[s].Count == 1 ? finals[s][0] : b.Node("Concat", $"{r.Name}.{r.States[s]}_n", finals[s], Int("axis", 0));
            b.Rename(stacked, ModelNames.FinalState(model, r, s));
        }
        return current;
    }

    /// <summary>
    /// Combines the directions of Y [T,D,B,H] (<paramref name="directionAxis"/> 1) or Y_h [D,B,H] (axis 0) into [T,B,F] or
    /// [B,F]: concat puts them side by side ([fwd, bwd] per position, as PyTorch), sum/mul/ave combine them elementwise.
    /// </summary>
    private static string Merge(OnnxGraphBuilder b, string value, int directionAxis, int dirs, string merge, string stem)
    {
        if (dirs == 1) return b.Node("Squeeze", stem, [value, b.Int64s(stem + ".axes", directionAxis)]);
        if (merge == "concat")
        {
            long[] perm = directionAxis == 1 ? [0, 2, 1, 3] : [1, 0, 2];
            string moved = b.Node("Transpose", stem + ".by_batch", [value], Ints("perm", perm));
            return b.Node("Reshape", stem, [moved, b.Int64s(stem + ".shape", directionAxis == 1 ? [0, 0, -1] : [0, -1])]);
        }
        string forward = SliceAxis(b, value, directionAxis, 0, 1, stem + ".forward");
        string reverse = SliceAxis(b, value, directionAxis, 1, 2, stem + ".reverse");
        string combined = merge switch
        {
            "sum" => b.Node("Add", stem + ".sum", [forward, reverse]),
            "mul" => b.Node("Mul", stem + ".mul", [forward, reverse]),
            "ave" => b.Node("Mul", stem + ".ave", [b.Node("Add", stem + ".sum", [forward, reverse]), b.FloatScalar(stem + ".half", 0.5f)]),
            _ => throw new OnnxException($"merge: '{merge}' cannot be exported to ONNX (concat, sum, mul and ave can)"),
        };
        return b.Node("Squeeze", stem, [combined, b.Int64s(stem + ".axes", directionAxis)]);
    }

    private static string SliceAxis(OnnxGraphBuilder b, string value, int axis, long start, long end, string stem) =>
        b.Node("Slice", stem, [value, b.Int64s(stem + ".starts", start), b.Int64s(stem + ".ends", end), b.Int64s(stem + ".axes", axis)]);

    /// <summary>y = x W^T + b at every step (or once, after pooling), then the activation.</summary>
    private static string Dense(OnnxGraphBuilder b, BoundDenseLayer d, string current, IReadOnlyDictionary<string, float[]> weights)
    {
        string transposed = b.Floats(d.Name + ".weight_transposed", Transpose(weights[d.Name + ".weight"], d.Units, d.InputSize), d.InputSize, d.Units);
        string y = b.Node("MatMul", d.Name + ".matmul", [current, transposed]);
        if (d.Bias) y = b.Node("Add", d.Name + ".add", [y, b.Floats(d.Name + ".bias", weights[d.Name + ".bias"], d.Units)]);
        return d.Activation switch
        {
            "none" => y,
            "softmax" => b.Node("Softmax", d.Name + ".softmax", [y], Int("axis", -1)),
            "log_softmax" => b.Node("LogSoftmax", d.Name + ".log_softmax", [y], Int("axis", -1)),
            _ => throw new OnnxException($"layer '{d.Name}': activation '{d.Activation}' cannot be exported to ONNX (none and softmax can)"),
        };
    }

    /// <summary>The gate blocks of a stacked weight or bias (each <paramref name="blockSize"/> values) in the order <paramref name="order"/>.</summary>
    internal static float[] Reorder(float[] stacked, int blockSize, int[] order)
    {
        var result = new float[stacked.Length];
        for (int g = 0; g < order.Length; g++)
            Array.Copy(stacked, order[g] * blockSize, result, g * blockSize, blockSize);
        return result;
    }

    private static float[] Transpose(float[] m, int rows, int columns)
    {
        var t = new float[m.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                t[j * rows + i] = m[i * columns + j];
        return t;
    }

    private static float[] Identity(int n)
    {
        var eye = new float[n * n];
        for (int i = 0; i < n; i++) eye[i * n + i] = 1;
        return eye;
    }
}
