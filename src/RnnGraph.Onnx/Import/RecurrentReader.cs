using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Import;

/// <summary>
/// Reads an ONNX RNN, GRU or LSTM node as an RnnGraph recurrent layer: its cell, hidden size, directions and
/// weights, refusing (with the node and attribute named) whatever RnnGraph's cells cannot express.
/// </summary>
internal static class RecurrentReader
{
    public static RecurrentStage Read(GraphIndex index, int node)
    {
        var n = index.Node(node);
        string op = n.OpType;
        int gates = op switch { "RNN" => 1, "GRU" => 3, _ => 4 };
        Exception Fail(string message) => index.Fail(node, message);

        string direction = GraphIndex.Attribute(n, "direction")?.S.ToStringUtf8() ?? "forward";
        int directions = direction switch
        {
            "forward" => 1,
            "bidirectional" => 2,
            "reverse" => throw Fail("has direction 'reverse'; RnnGraph's recurrent layers run forward or in both directions (bidirectional), not only in reverse"),
            _ => throw Fail($"has direction '{direction}', which is not forward, reverse or bidirectional"),
        };
        if (GraphIndex.Attribute(n, "clip") is { } clip)
            throw Fail($"has attribute clip = {clip.F.ToString(System.Globalization.CultureInfo.InvariantCulture)}; RnnGraph's cells do not clip their gate inputs (re-export without clip)");
        if (op == "LSTM" && GraphIndex.Int(n, "input_forget", 0) != 0)
            throw Fail("has attribute input_forget = 1 (coupled input and forget gates); RnnGraph's LSTM has independent gates");
        CheckActivations(index, node, op, directions);

        var w = Weight(index, node, 1, "W");
        var r = Weight(index, node, 2, "R");
        var b = n.Input.Count > 3 && n.Input[3].Length > 0 ? Weight(index, node, 3, "B") : null;
        if (n.Input.Count > 4 && n.Input[4].Length > 0)
            throw Fail($"has sequence_lens ('{n.Input[4]}'); an imported model takes sequence lengths as the eval input 'lengths' instead, so export without them");
        var p = op == "LSTM" && n.Input.Count > 7 && n.Input[7].Length > 0 ? Weight(index, node, 7, "P") : null;

        if (w.Shape.Length != 3 || w.Shape[0] != directions || w.Shape[1] % gates != 0)
            throw Fail($"W is [{string.Join(",", w.Shape)}] but must be [{directions}, {gates}*hidden_size, input_size]");
        int hidden = w.Shape[1] / gates;
        if (GraphIndex.Attribute(n, "hidden_size") is { } hs && hs.I != hidden)
            throw Fail($"has hidden_size = {hs.I} but W is [{string.Join(",", w.Shape)}], which holds hidden size {hidden}");
        Expect(index, node, r, "R", [directions, gates * hidden, hidden]);
        if (b is not null) Expect(index, node, b, "B", [directions, 2 * gates * hidden]);
        if (p is not null) Expect(index, node, p, "P", [directions, 3 * hidden]);

        bool resetAfter = op != "GRU" || GraphIndex.Int(n, "linear_before_reset", 0) != 0;
        string cell = op switch
        {
            "RNN" => IsRelu(index, node) ? "rnn_relu" : "rnn_tanh",
            "GRU" => "gru",
            _ => "lstm",
        };
        // All-zero biases are how a model without biases is exported (ONNX's B defaults to zeros, and RnnGraph's
        // exporter writes zeros for bias: false), so they import as bias: false.
        if (b is not null && b.ToDoubleArray().All(v => v == 0)) b = null;
        var settings = new RecurrentSettings(cell, hidden, directions, resetAfter, p is not null, b is not null);
        return new RecurrentStage(node, settings, w.Shape[2], w, r, b, p,
            InitialState(index, node, 5, "initial_h"), op == "LSTM" ? InitialState(index, node, 6, "initial_c") : new StateSource.Zeros());
    }

    private static readonly Dictionary<string, string[]> DefaultActivations = new()
    {
        ["RNN"] = ["Tanh"],
        ["GRU"] = ["Sigmoid", "Tanh"],
        ["LSTM"] = ["Sigmoid", "Tanh", "Tanh"],
    };

    private static string[]? Activations(GraphIndex index, int node) =>
        GraphIndex.Attribute(index.Node(node), "activations")?.Strings.Select(s => s.ToStringUtf8()).ToArray();

    private static bool IsRelu(GraphIndex index, int node) => Activations(index, node) is [var first, ..] && first.Equals("Relu", StringComparison.OrdinalIgnoreCase);

    private static void CheckActivations(GraphIndex index, int node, string op, int directions)
    {
        var given = Activations(index, node);
        if (given is null) return;
        var defaults = DefaultActivations[op];
        string[][] allowed = op == "RNN" ? [["Tanh"], ["Relu"]] : [defaults];
        bool fits(string[] set) => (given.Length == set.Length || given.Length == set.Length * directions) &&
            given.Select((a, i) => a.Equals(set[i % set.Length], StringComparison.OrdinalIgnoreCase)).All(ok => ok);
        if (!allowed.Any(fits))
        {
            string expected = op == "RNN" ? "Tanh (rnn_tanh) or Relu (rnn_relu) for every direction" : string.Join(", ", defaults) + " for every direction";
            throw index.Fail(node, $"has activations [{string.Join(", ", given)}]; RnnGraph's {op} cells use {expected}");
        }
    }

    private static TensorValue Weight(GraphIndex index, int node, int input, string role)
    {
        string name = index.Node(node).Input[input];
        var value = index.Constant(name)
            ?? throw index.Fail(node, $"its {role} ('{name}') is computed from the model's inputs; the importer reads weights only from initializers and constants");
        if (value.DType is not (DType.F32 or DType.F64 or DType.F16 or DType.BF16))
            throw index.Fail(node, $"its {role} ('{name}') is {value}, not floating point");
        return value;
    }

    private static void Expect(GraphIndex index, int node, TensorValue value, string role, int[] shape)
    {
        if (!value.Shape.SequenceEqual(shape))
            throw index.Fail(node, $"{role} is [{string.Join(",", value.Shape)}] but must be [{string.Join(",", shape)}]");
    }

    private static StateSource InitialState(GraphIndex index, int node, int input, string role)
    {
        var n = index.Node(node);
        if (input >= n.Input.Count || n.Input[input].Length == 0) return new StateSource.Zeros();
        string name = n.Input[input];
        if (index.IsZeros(name)) return new StateSource.Zeros();
        if (GraphIndex.Int(n, "layout", 0) != 0)
            throw index.Fail(node, $"has layout = 1 and a given {role}; RnnGraph's initial states are [layers·directions, batch, hidden], so export with layout 0");
        if (index.IsGraphInput(name)) return new StateSource.Given(name, 0, null);
        if (index.Producer(name) is { } p && index.Node(p).OpType == "Slice" && index.IsGraphInput(index.Node(p).Input[0]))
        {
            var starts = index.IntsFromAttributeOrInput(p, "starts", 1);
            var ends = index.IntsFromAttributeOrInput(p, "ends", 2);
            var axes = index.IntsFromAttributeOrInput(p, "axes", 3);
            var steps = index.IntsFromAttributeOrInput(p, "steps", 4);
            if (starts is [var s] && ends is [var e] && (axes is null or [0]) && (steps is null or [1]) && s >= 0 && e > s)
                return new StateSource.Given(index.Node(p).Input[0], s, e - s);
        }
        if (index.Constant(name) is not null)
            throw index.Fail(node, $"its {role} ('{name}') is a constant that is not all zeros; RnnGraph's initial states are zeros or given at eval time (h0, c0)");
        throw index.Fail(node, $"its {role} ('{name}') is neither zeros nor a graph input (or a slice of one along axis 0); the importer cannot tell what it holds");
    }
}
