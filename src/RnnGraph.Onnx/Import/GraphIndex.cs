using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Import;

/// <summary>
/// Who produces and who reads each value of an ONNX graph, plus the two questions the importer asks of values off the
/// data path: "is this a constant (and what is it)?" and "is this all zeros whatever the inputs are?".
/// </summary>
internal sealed class GraphIndex
{
    private readonly Dictionary<string, int> _producer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorValue?> _constants = new(StringComparer.Ordinal);

    public GraphIndex(OnnxModel model)
    {
        Model = model;
        for (int i = 0; i < model.Graph.Node.Count; i++)
        {
            var node = model.Graph.Node[i];
            foreach (var output in node.Output)
                if (output.Length > 0) _producer.TryAdd(output, i);
            foreach (var input in node.Input.Where(n => n.Length > 0).Distinct())
            {
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = [];
                list.Add(i);
            }
        }
        Outputs = model.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
    }

    public OnnxModel Model { get; }

    /// <summary>Names of the graph outputs.</summary>
    public HashSet<string> Outputs { get; }

    public NodeProto Node(int index) => Model.Graph.Node[index];

    /// <summary>"model.onnx: node 'x' (LSTM)".</summary>
    public string Where(int index) => $"{Model.Source}: {OnnxModel.Describe(Node(index), index)}";

    /// <summary>"node 'x' (LSTM)" without the file name.</summary>
    public string Name(int index) => OnnxModel.Describe(Node(index), index);

    public int? Producer(string value) => _producer.TryGetValue(value, out int i) ? i : null;

    public IReadOnlyList<int> Consumers(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    public bool IsGraphInput(string value) => Model.Inputs.Any(i => i.Name == value);

    public OnnxException Fail(int node, string message) => new($"{Where(node)}: {message}");

    /// <summary>
    /// The value of <paramref name="name"/> when it depends on no graph input (initializers, Constant nodes and
    /// operators over them, folded with the evaluator's kernels); null otherwise.
    /// </summary>
    public TensorValue? Constant(string name)
    {
        if (_constants.TryGetValue(name, out var known)) return known;
        TensorValue? value = null;
        if (Model.Initializers.TryGetValue(name, out var init)) value = init;
        else if (Producer(name) is { } p)
        {
            var node = Node(p);
            if (node.OpType is not ("Shape" or "RNN" or "GRU" or "LSTM" or "Size"))
            {
                var args = new TensorValue?[node.Input.Count];
                bool all = true;
                for (int k = 0; k < args.Length && all; k++)
                {
                    if (node.Input[k].Length == 0) continue;
                    args[k] = Constant(node.Input[k]);
                    all = args[k] is not null;
                }
                if (all)
                {
                    var results = OnnxEvaluator.RunNode(node, Where(p), Model.Opset, args);
                    int slot = node.Output.IndexOf(name);
                    if (results is not null && slot < results.Length) value = results[slot];
                }
            }
        }
        _constants[name] = value;
        return value;
    }

    /// <summary>
    /// Whether <paramref name="name"/> is zeros whatever the graph's inputs: a constant of zeros, a ConstantOfShape of
    /// zero (its shape may come from the inputs, as torch builds zero initial states), or slices, reshapes, expands
    /// and concatenations of such values.
    /// </summary>
    public bool IsZeros(string name)
    {
        if (Constant(name) is { } constant) return constant.ToDoubleArray().All(v => v == 0);
        if (Producer(name) is not { } p) return false;
        var node = Node(p);
        switch (node.OpType)
        {
            case "ConstantOfShape":
                var attribute = node.Attribute.FirstOrDefault(a => a.Name == "value");
                return attribute?.T is null || OnnxTensors.FromProto(attribute.T, Where(p)).ToDoubleArray().All(v => v == 0);
            case "Slice" or "Expand" or "Reshape" or "Squeeze" or "Unsqueeze" or "Transpose" or "Identity" or "Tile" or "Cast" or "Flatten":
                return node.Input.Count > 0 && IsZeros(node.Input[0]);
            case "Concat":
                return node.Input.All(i => i.Length > 0 && IsZeros(i));
            default:
                return false;
        }
    }

    /// <summary>A node's integer attribute, or <paramref name="fallback"/>.</summary>
    public static long Int(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    public static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    /// <summary>Integers given either as an attribute (older opsets) or as a constant input; null when neither is there.</summary>
    public long[]? IntsFromAttributeOrInput(int index, string attribute, int input)
    {
        var node = Node(index);
        if (Attribute(node, attribute) is { } a) return a.Ints.ToArray();
        if (input < node.Input.Count && node.Input[input].Length > 0)
            return (Constant(node.Input[input]) ?? throw Fail(index, $"its {attribute} ('{node.Input[input]}') are computed from the model's inputs; the importer needs them constant")).ToInt64Array();
        return null;
    }
}
