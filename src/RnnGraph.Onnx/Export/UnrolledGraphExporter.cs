using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Runtime.IO;
using static RnnGraph.Onnx.Export.OnnxGraphBuilder;
using static RnnGraph.Onnx.Proto.TensorProto.Types;
using IrShape = RnnGraph.Compiler.IR.Shape;

namespace RnnGraph.Onnx.Export;

/// <summary>
/// Exports the compiler's forward graph, unrolled over a fixed number of steps, node by node as primitive ONNX
/// operators: how models with custom cells leave RnnGraph. The batch stays symbolic ("batch"); the sequence
/// input x [T,B,I] is read one step at a time (Gather on the time axis), the per-step outputs are stacked back
/// into y [T,B,O] and the final states into [L·D,B,H].
/// </summary>
internal static class UnrolledGraphExporter
{
    private const string Batch = "batch";

    public static void Build(OnnxGraphBuilder b, BoundModel model, Graph graph, IReadOnlyDictionary<string, float[]> weights, OnnxExportOptions options)
    {
        var input = model.Input;
        int steps = graph.Info.Steps;
        b.Reserve(input.Name);
        foreach (var name in RecurrentModelExporter.OutputNames(model)) b.Reserve(name);
        int timeAxis = model.BatchFirst ? 1 : 0, batchAxis = model.BatchFirst ? 0 : 1;
        object[] xDims = input.IsTokens
            ? (model.BatchFirst ? [Batch, steps] : [steps, Batch])
            : (model.BatchFirst ? [Batch, steps, input.Size] : [steps, Batch, input.Size]);
        b.Input(input.Name, input.IsTokens ? DataType.Int64 : DataType.Float, xDims);
        var stacked = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in model.RnnLayers)
            for (int s = 0; s < r.States.Count && options.InitialStates; s++)
            {
                string name = ModelNames.InitialState(model, r, s);
                if (!b.Reserve(name))
                    throw new OnnxException($"the initial-state input '{name}' of layer '{r.Name}' has the name of another graph value; rename the layer");
                b.Input(name, DataType.Float, r.NumLayers * r.Directions, Batch, r.Hidden);
                stacked[name] = r.NumLayers * r.Directions;
            }

        var values = Emit(b, graph, weights, node => InputValue(b, node, input.Name, timeAxis, stacked, Stem(node)), input.Name, batchAxis);
        Outputs(b, graph, values, timeAxis, name => name);
    }

    /// <summary>
    /// Every node of <paramref name="graph"/> as ONNX operators, its inputs taken from <paramref name="inputValue"/>; the batch size,
    /// when a node needs it, is read from axis <paramref name="batchAxis"/> of the graph input <paramref name="batchInput"/>.
    /// </summary>
    internal static Dictionary<Node, string> Emit(OnnxGraphBuilder b, Graph graph, IReadOnlyDictionary<string, float[]> weights, Func<Node, string> inputValue,
                                                  string batchInput, int batchAxis)
    {
        // The batch size as a 1-D shape piece, read from the batch input when a node needs it (zeros, broadcasts to [B,...]).
        string? batchDim = null;
        string BatchDim() => batchDim ??= b.Node("Gather", "batch_size", [b.Node("Shape", batchInput + "_shape", [batchInput]), b.Int64s("batch_axis", batchAxis)], Int("axis", 0));
        string ShapeOf(IrShape shape, string stem)
        {
            if (shape.Dims.ToArray().All(d => !IrShape.IsSymbolic(d))) return b.Int64s(stem, [.. shape.Dims.ToArray().Select(d => (long)d)]);
            var pieces = new List<string>();
            foreach (int d in shape.Dims)
            {
                if (d == IrShape.Batch) pieces.Add(BatchDim());
                else if (!IrShape.IsSymbolic(d)) pieces.Add(b.Int64s(stem + ".dim", d));
                else throw new OnnxException($"the unrolled graph has a dimension of {IrShape.FormatDim(d)} rows, which export does not handle");
            }
            return b.Node("Concat", stem, pieces, Int("axis", 0));
        }

        var identities = new Dictionary<int, string>();
        string IdentityTable(int n) => identities.TryGetValue(n, out var t) ? t : identities[n] = b.Floats("one_hot.table", Identity(n), n, n);

        var values = new Dictionary<Node, string>();
        foreach (var node in graph.Nodes)
        {
            string stem = Stem(node);
            string In(int i) => values[node.Inputs[i]];
            var a = node.Attributes;
            values[node] = node.Op.Name switch
            {
                "input" => inputValue(node),
                "param" => b.Floats(a.Name!, weights[a.Name!], node.Shape.Dims.ToArray()),
                "const" => b.FloatScalar("const", (float)a.Scalar),
                "zeros" => IrShape.IsSymbolic(node.Shape.Dims.ToArray().DefaultIfEmpty(0).Min())
                    ? b.Node("ConstantOfShape", stem, [ShapeOf(node.Shape, stem + ".shape")], Tensor("value", TensorValue.FromFloat([0f], 1)))
                    : b.Floats(stem, new float[node.Shape.ElementCount(1)], node.Shape.Dims.ToArray()),
                "add" => b.Node("Add", stem, [In(0), In(1)]),
                "sub" => b.Node("Sub", stem, [In(0), In(1)]),
                "mul" => b.Node("Mul", stem, [In(0), In(1)]),
                "div" => b.Node("Div", stem, [In(0), In(1)]),
                "maximum" => b.Node("Max", stem, [In(0), In(1)]),
                "neg" => b.Node("Neg", stem, [In(0)]),
                "tanh" => b.Node("Tanh", stem, [In(0)]),
                "sigmoid" => b.Node("Sigmoid", stem, [In(0)]),
                "relu" => b.Node("Relu", stem, [In(0)]),
                "exp" => b.Node("Exp", stem, [In(0)]),
                "log" => b.Node("Log", stem, [In(0)]),
                "softplus" => b.Node("Softplus", stem, [In(0)]),
                "softmax" => b.Node("Softmax", stem, [In(0)], Int("axis", -1)),
                "log_softmax" => b.Node("LogSoftmax", stem, [In(0)], Int("axis", -1)),
                "matmul" => b.Node("Gemm", stem, [In(0), In(1)], Int("transA", a.I0), Int("transB", a.I1)),
                "slice_last" => b.Node("Slice", stem, [In(0), b.Int64s(stem + ".starts", a.I0), b.Int64s(stem + ".ends", a.I0 + a.I1), b.Int64s(stem + ".axes", -1)]),
                "slice_rows" when a.I0 >= 0 && a.I1 > 0 =>
                    b.Node("Slice", stem, [In(0), b.Int64s(stem + ".starts", a.I0), b.Int64s(stem + ".ends", a.I0 + a.I1), b.Int64s(stem + ".axes", 0)]),
                "concat_last" => b.Node("Concat", stem, node.Inputs.Select(i => values[i]), Int("axis", -1)),
                "sum_last" => b.Node("ReduceSum", stem, [In(0), b.Int64s(stem + ".axes", -1)], Int("keepdims", 1)),
                "broadcast_to" => b.Node("Expand", stem, [In(0), ShapeOf(a.Shape!, stem + ".shape")]),
                "gather_rows" => b.Node("Gather", stem, [In(0), In(1)], Int("axis", 0)),
                // values [..., 1] placed at each row's id of a zero row of width I0: a one-hot row (a Gather from the identity) times the value.
                "scatter_last" => b.Node("Mul", stem, [b.Node("Gather", stem + ".one_hot", [IdentityTable(a.I0), In(1)], Int("axis", 0)), In(0)]),
                _ => throw new OnnxException($"the unrolled graph uses the op '{node.Op.Name}' ({node.Origin.Describe()}), which export cannot write as ONNX operators yet"),
            };
        }

        return values;
    }

    /// <summary>
    /// The graph's outputs: per-step values stacked on the time axis, per-layer states on a new first axis, unindexed ones as they
    /// are; each named <paramref name="onnxName"/> of its IR name.
    /// </summary>
    internal static void Outputs(OnnxGraphBuilder b, Graph graph, IReadOnlyDictionary<Node, string> values, int timeAxis, Func<string, string> onnxName)
    {
        foreach (var group in graph.Outputs.GroupBy(o => o.Name))
        {
            var parts = group.OrderBy(o => o.Index).ToList();
            string name = onnxName(group.Key);
            var shape = parts[0].Node.Shape;
            object[] stepDims = [.. shape.Dims.ToArray().Select(d => d == IrShape.Batch ? (object)Batch : d)];
            string value;
            object[] dims;
            if (parts.Count == 1 && parts[0].Index < 0)
            {
                value = b.Node("Identity", name + ".value", [values[parts[0].Node]]);
                dims = stepDims;
            }
            else
            {
                bool sequence = group.Key == ModelNames.Output;
                int axis = sequence ? timeAxis : 0;
                var pieces = parts.Select(p => b.Node("Unsqueeze", $"{name}.{p.Index}", [values[p.Node], b.Int64s(name + ".axis", axis)])).ToList();
                value = pieces.Count == 1 ? pieces[0] : b.Node("Concat", name + ".stacked", pieces, Int("axis", axis));
                dims = [.. stepDims];
                var list = dims.ToList();
                list.Insert(axis, parts.Count);
                dims = [.. list];
            }
            b.Rename(value, name);
            b.Output(name, DataType.Float, dims);
        }
    }

    /// <summary>The ONNX value of an IR input: one step of x, or one layer and direction of a stacked initial state.</summary>
    internal static string InputValue(OnnxGraphBuilder b, Node node, string inputName, int timeAxis, IReadOnlyDictionary<string, int> stacked, string stem)
    {
        var a = node.Attributes;
        var kind = (InputKind)a.I0;
        if (a.Name == inputName && kind is InputKind.Float or InputKind.TokenIds && a.Index >= 0)
            return b.Node("Gather", stem, [inputName, b.Int64Scalar($"step{a.Index}", a.Index)], Int("axis", timeAxis));
        if (a.Name is { } name && stacked.ContainsKey(name) && a.Index >= 0)
            return b.Node("Gather", stem, [name, b.Int64Scalar($"index{a.Index}", a.Index)], Int("axis", 0));
        throw new OnnxException($"the unrolled graph has an input '{a.Name}' ({kind}) that export cannot feed");
    }

    /// <summary>A readable value name from the node's origin: <c>rnn.l0.t3.h</c>.</summary>
    internal static string Stem(Node node)
    {
        var o = node.Origin;
        var parts = new List<string>();
        if (o.Scope is { } scope) parts.Add(scope);
        if (o.Layer >= 0) parts.Add($"l{o.Layer}" + (o.Direction == 1 ? "r" : ""));
        if (o.Step >= 0) parts.Add($"t{o.Step}");
        if (o.Label is { } label) parts.Add(label.Replace(", ", "_", StringComparison.Ordinal));
        parts.Add(node.Op.Name);
        return string.Join(".", parts);
    }

    private static float[] Identity(int n)
    {
        var eye = new float[n * n];
        for (int i = 0; i < n; i++) eye[i * n + i] = 1;
        return eye;
    }
}
