using RnnGraph.Onnx.Ops;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx;

/// <summary>
/// Runs an ONNX model on the CPU: nodes in order, each by its operator's kernel. Before anything runs, every
/// operator is checked to be one RnnGraph implements and the inputs are checked against the graph's declared
/// inputs, so a model that cannot run fails at once with the node or input named.
/// </summary>
public static class OnnxEvaluator
{
    private static readonly Dictionary<string, OpKernel> Kernels = BuildTable();

    private static Dictionary<string, OpKernel> BuildTable()
    {
        var table = new Dictionary<string, OpKernel>(StringComparer.Ordinal);
        ElementwiseOps.Register(table);
        ShapeOps.Register(table);
        MathOps.Register(table);
        RecurrentOps.Register(table);
        return table;
    }

    /// <summary>The operator types RnnGraph runs.</summary>
    public static IReadOnlyCollection<string> SupportedOperators => Kernels.Keys;

    /// <summary>Refuses a model that uses an operator RnnGraph does not run, naming the first such node.</summary>
    public static void CheckSupported(OnnxModel model)
    {
        for (int i = 0; i < model.Graph.Node.Count; i++)
        {
            var node = model.Graph.Node[i];
            if (!Kernels.ContainsKey(node.OpType))
            {
                var others = model.Graph.Node.Select(n => n.OpType).Where(op => !Kernels.ContainsKey(op) && op != node.OpType).Distinct().ToList();
                throw new OnnxException($"{model.Source}: {OnnxModel.Describe(node, i)} uses operator '{node.OpType}', which RnnGraph does not run" +
                    (others.Count > 0 ? $" (nor {string.Join(", ", others)})" : "") + "; see `rnngraph eval --help` for the supported operators");
            }
        }
    }

    /// <summary>Runs one node on given inputs (null for omitted ones), e.g. to fold a constant subgraph; null if its operator is not one RnnGraph runs.</summary>
    internal static TensorValue?[]? RunNode(NodeProto node, string where, long opset, TensorValue?[] args, OnnxLimits? limits = null)
    {
        if (!Kernels.TryGetValue(node.OpType, out var kernel)) return null;
        return kernel(new OpContext(node, where, opset, args, limits ?? OnnxLimits.Default));
    }

    /// <summary>Runs the model; returns one tensor per graph output, by name.</summary>
    public static Dictionary<string, TensorValue> Evaluate(OnnxModel model, IReadOnlyDictionary<string, TensorValue> inputs, OnnxLimits? limits = null)
    {
        limits ??= OnnxLimits.Default;
        CheckSupported(model);
        var values = new Dictionary<string, TensorValue>(StringComparer.Ordinal);
        foreach (var (name, value) in model.Initializers) values[name] = value;
        foreach (var (name, value) in CheckInputs(model, inputs)) values[name] = value;

        // How many nodes still read each value, so intermediate tensors are released after their last use.
        var remainingUses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in model.Graph.Node)
            foreach (var input in node.Input)
                if (input.Length > 0) remainingUses[input] = remainingUses.GetValueOrDefault(input) + 1;
        var keep = model.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        for (int i = 0; i < model.Graph.Node.Count; i++)
        {
            var node = model.Graph.Node[i];
            string where = $"{model.Source}: {OnnxModel.Describe(node, i)}";
            var args = node.Input.Select(name => name.Length == 0 ? null : values[name]).ToArray();
            var context = new OpContext(node, where, model.Opset, args, limits);
            TensorValue?[] results;
            try
            {
                results = Kernels[node.OpType](context);
            }
            catch (InvalidOperationException e)
            {
                // A conversion refused deep inside a kernel (e.g. float indices): still the model's problem, named.
                throw context.Fail(e.Message);
            }
            catch (OverflowException)
            {
                throw context.Fail("a value does not fit a 32-bit dimension or index");
            }
            for (int k = 0; k < node.Output.Count; k++)
            {
                if (node.Output[k].Length == 0) continue;
                var result = k < results.Length ? results[k] : null;
                values[node.Output[k]] = result ?? throw context.Fail($"does not produce its output {k} ('{node.Output[k]}') here");
            }
            foreach (var input in node.Input)
            {
                if (input.Length == 0) continue;
                if (--remainingUses[input] == 0 && !keep.Contains(input) && !model.Initializers.ContainsKey(input)) values.Remove(input);
            }
        }
        return model.Outputs.ToDictionary(o => o.Name, o => values[o.Name], StringComparer.Ordinal);
    }

    /// <summary>
    /// Matches the given tensors to the graph's inputs: every input given, no unknown names, element types and static
    /// dimensions as declared. Integer inputs accept I32 or I64 and float inputs F32 or F64, converted to the declared type.
    /// </summary>
    public static Dictionary<string, TensorValue> CheckInputs(OnnxModel model, IReadOnlyDictionary<string, TensorValue> given)
    {
        var result = new Dictionary<string, TensorValue>(StringComparer.Ordinal);
        string expected = string.Join(", ", model.Inputs.Select(i => $"{i.Name} {i.Describe()}"));
        foreach (var name in given.Keys)
            if (!model.Inputs.Any(i => i.Name == name))
                throw new OnnxException($"'{name}' is not an input of {model.Source}; its inputs are {expected}");
        foreach (var input in model.Inputs)
        {
            if (!given.TryGetValue(input.Name, out var value))
                throw new OnnxException($"{model.Source} needs input '{input.Name}' ({input.Describe()}), which the inputs file does not hold; its inputs are {expected}");
            if (input.DType is { } dtype && value.DType != dtype)
            {
                bool convertible = Tensors.IsFloat(dtype) ? Tensors.IsFloat(value.DType) : !Tensors.IsFloat(value.DType) && dtype != DType.Bool && value.DType != DType.Bool;
                if (!convertible)
                    throw new OnnxException($"input '{input.Name}' is {value} but {model.Source} declares {input.Describe()}");
                value = Tensors.IsFloat(dtype) ? Tensors.FromDoubles(dtype, value.Shape, value.ToDoubleArray()) : Tensors.FromLongs(dtype, value.Shape, value.ToInt64Array());
            }
            if (input.Shape is { } shape)
            {
                bool fits = shape.Count == value.Shape.Length && shape.Select((d, k) => d is null || d == value.Shape[k]).All(ok => ok);
                if (!fits)
                    throw new OnnxException($"input '{input.Name}' has shape {Tensors.Format(value.Shape)} but {model.Source} declares {input.Describe()}");
            }
            result[input.Name] = value;
        }
        return result;
    }
}
