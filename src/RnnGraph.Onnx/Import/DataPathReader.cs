using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Import;

/// <summary>
/// Follows the data from the graph's input to its output, one node at a time, and turns the nodes into RnnGraph
/// layer parts: an embedding (Gather from a table), recurrent operators, dense layers (MatMul [+ Add] or Gemm) and a
/// final Softmax or LogSoftmax. Between them only shape-only nodes may sit (Transpose, Reshape, Squeeze, Unsqueeze,
/// Identity, Dropout), and the symbolic shape they produce must hand each layer time, batch and features in the
/// order RnnGraph uses. Side branches that only read shapes (torch's zero initial states) are not on the path.
/// </summary>
internal sealed class DataPathReader
{
    private static readonly HashSet<string> Glue = ["Transpose", "Reshape", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Flatten"];

    private readonly GraphIndex _index;
    private readonly List<Stage> _stages = [];
    private Factor? _time, _batch;
    private IReadOnlyList<Factor> _features = [];
    private SymbolicShape _shape = SymbolicShape.Of();
    private bool _tokens;

    private DataPathReader(GraphIndex index) => _index = index;

    /// <summary>What the path holds: the layer parts in order, the input's and output's layout and names.</summary>
    public sealed record Result(IReadOnlyList<Stage> Stages, OnnxValueInfo Input, bool Tokens, bool BatchFirst, int? InputSize, string Output);

    public static Result Read(GraphIndex index, OnnxValueInfo input) => new DataPathReader(index).Walk(input);

    private string Source => _index.Model.Source;

    private Result Walk(OnnxValueInfo input)
    {
        _tokens = input.DType is DType.I32 or DType.I64;
        if (input.DType is not (DType.F32 or DType.F64 or DType.F16 or DType.I32 or DType.I64))
            throw new OnnxException($"{Source}: input '{input.Name}' is {input.Describe()}; an RnnGraph model reads float features or int32/int64 token ids");
        int rank = _tokens ? 2 : 3;
        if (input.Shape is { } declared && declared.Count != rank)
            throw new OnnxException($"{Source}: input '{input.Name}' is {input.Describe()}; an RnnGraph model reads {(_tokens ? "token ids [T,B] or [B,T]" : "features [T,B,I] or [B,T,I]")}");
        var a0 = new Factor("in0", null);
        var a1 = new Factor("in1", null);
        int? inputSize = _tokens ? null : (input.Shape?[2] is { } i ? (int)i : null);
        var feature = new Factor("I", inputSize);
        _shape = _tokens ? SymbolicShape.Of([a0], [a1]) : SymbolicShape.Of([a0], [a1], [feature]);
        // Size-1 factors are never kept (see Factor), so an input of one feature has an empty feature axis.
        _features = _tokens ? [] : new SymbolicShape([[feature]]).Axes[0];

        string current = input.Name;
        int? previous = null;
        while (true)
        {
            var consumers = _index.Consumers(current).Where(c => _index.Node(c).OpType != "Shape").ToList();
            bool isOutput = _index.Outputs.Contains(current);
            string after = previous is { } p ? $"after {_index.Name(p)}" : $"from input '{input.Name}'";
            if (consumers.Count == 0)
            {
                if (isOutput) break;
                throw new OnnxException($"{Source}: the data path {after} ends at '{current}', which is not a graph output");
            }
            if (isOutput)
                throw new OnnxException($"{Source}: '{current}' ({after}) is a graph output but also feeds {_index.Name(consumers[0])}; only the model's final output y can be a graph output on the data path");
            if (consumers.Count > 1)
                throw new OnnxException($"{Source}: '{current}' ({after}) feeds {consumers.Count} nodes ({string.Join(", ", consumers.Take(3).Select(_index.Name))}); an RnnGraph model is a single chain of layers");
            int node = consumers[0];
            current = Step(node, current);
            previous = node;
        }

        if (!_stages.Any(s => s is RecurrentStage))
            throw new OnnxException($"{Source}: the graph has no RNN, GRU or LSTM node on the path from input '{input.Name}' to its output; there is no recurrent model to import");
        if (_shape.Rank != 3 || !_shape.AxisIs(2, _features) ||
            !((_shape.AxisIs(0, [_time!]) && _shape.AxisIs(1, [_batch!])) || (_shape.AxisIs(0, [_batch!]) && _shape.AxisIs(1, [_time!]))))
            throw new OnnxException($"{Source}: output '{current}' has the layout {Show(_shape)} (in terms of sequence T, batch B and features); RnnGraph's y is [T,B,F] or [B,T,F] with the features in order");
        bool inputBatchFirst = _batch!.Symbol == "in0";
        bool outputBatchFirst = _shape.AxisIs(0, [_batch]);
        if (inputBatchFirst != outputBatchFirst)
            throw new OnnxException($"{Source}: input '{input.Name}' is {(inputBatchFirst ? "batch-major [B,T,...]" : "time-major [T,B,...]")} but output '{current}' is {(outputBatchFirst ? "batch-major" : "time-major")}; RnnGraph's batch_first sets both, so it cannot express this model");
        return new Result(_stages, input, input.DType is DType.I32 or DType.I64, inputBatchFirst, inputSize ?? (_stages[0] is RecurrentStage r ? r.InputSize : null), current);
    }

    private Exception Fail(int node, string message) => _index.Fail(node, message);

    /// <summary>A symbolic shape for messages, the input's axes named T and B once the first recurrent node has told which is which.</summary>
    private string Show(SymbolicShape shape) =>
        "[" + string.Join(",", shape.Axes.Select(a => a.Count == 0 ? "1" : string.Join("·", a.Select(f => f == _time ? "T" : f == _batch ? "B" : f.Symbol)))) + "]";

    /// <summary>Takes node <paramref name="node"/>, which reads <paramref name="data"/>, onto the path; returns its data output.</summary>
    private string Step(int node, string data)
    {
        var n = _index.Node(node);
        Func<string, Exception> fail = m => Fail(node, m);
        string op = n.OpType;
        if (Glue.Contains(op)) return GlueStep(node, n, data, fail);
        switch (op)
        {
            case "Gather" when _tokens && _stages.Count == 0 && n.Input.Count == 2 && n.Input[1] == data:
                {
                    var table = _index.Constant(n.Input[0]);
                    if (table is null || table.Shape.Length != 2 || !IsFloat(table.DType))
                        throw fail($"gathers token ids from '{n.Input[0]}', which is not a constant 2-D float table (an embedding)");
                    if (GraphIndex.Int(n, "axis", 0) != 0) throw fail("gathers along an axis other than 0; an embedding looks up rows");
                    _stages.Add(new EmbedStage(node, table));
                    var e = new Factor("E", table.Shape[1]);
                    _features = [e];
                    _shape = new SymbolicShape(_shape.Axes.Append([e]));
                    _tokens = false;
                    return Output(node, 0);
                }
            case "RNN" or "GRU" or "LSTM":
                return RecurrentStep(node, n, data, fail);
            case "MatMul" when n.Input[0] == data:
                {
                    var w = Matrix(node, n.Input[1], "weight");
                    CheckFeatures(node, _shape.Rank - 1, w.Shape[0], "its first input");
                    return DenseStep(node, Transposed(w.ToFloatArray(), w.Shape[0], w.Shape[1]), w.Shape[1], w.Shape[0]);
                }
            case "Gemm" when n.Input[0] == data:
                {
                    if (GraphIndex.Int(n, "transA", 0) != 0) throw fail("has transA = 1; a dense layer multiplies the features as rows");
                    foreach (var name in new[] { "alpha", "beta" })
                        if (GraphIndex.Attribute(n, name) is { } a && a.F != 1) throw fail($"has {name} = {a.F.ToString(System.Globalization.CultureInfo.InvariantCulture)}; RnnGraph's dense layer is x W^T + b (alpha = beta = 1)");
                    if (_shape.Rank != 2) throw fail($"reads {Show(_shape)}; Gemm takes 2-D input");
                    var w = Matrix(node, n.Input[1], "B");
                    bool transB = GraphIndex.Int(n, "transB", 0) != 0;
                    int inSize = transB ? w.Shape[1] : w.Shape[0], units = transB ? w.Shape[0] : w.Shape[1];
                    CheckFeatures(node, 1, inSize, "input A");
                    var weight = transB ? w.ToFloatArray() : Transposed(w.ToFloatArray(), w.Shape[0], w.Shape[1]);
                    string output = DenseStep(node, weight, units, inSize);
                    if (n.Input.Count > 2 && n.Input[2].Length > 0) ((DenseStage)_stages[^1]).Bias = BiasVector(node, n.Input[2], units);
                    return output;
                }
            case "Add" when _stages.Count > 0 && _stages[^1] is DenseStage { Bias: null } dense && _index.Node(_index.Producer(data)!.Value).OpType == "MatMul":
                {
                    string other = n.Input[0] == data ? n.Input[1] : n.Input[0];
                    dense.Bias = BiasVector(node, other, dense.Units);
                    return Output(node, 0);
                }
            case "Softmax" or "LogSoftmax":
                {
                    if (_stages.Count == 0 || _stages[^1] is not DenseStage)
                        throw fail($"comes right after {(_stages.Count == 0 ? "the input" : _index.Name(_stages[^1].Node))}; RnnGraph applies {op} only as the activation of a dense layer");
                    long axis = GraphIndex.Int(n, "axis", _index.Model.Opset >= 13 ? -1 : 1);
                    if (axis != -1 && axis != _shape.Rank - 1)
                        throw fail($"has axis = {axis} on {Show(_shape)}{(GraphIndex.Attribute(n, "axis") is null ? " (the default of opset " + _index.Model.Opset + ")" : "")}; RnnGraph's {op.ToLowerInvariant()} runs over the last axis (the units)");
                    _stages.Add(new ActivationStage(node, op == "Softmax" ? "softmax" : "log_softmax"));
                    return Output(node, 0);
                }
        }
        string where = _stages.Count == 0 ? "on the input" : $"after {_index.Name(_stages[^1].Node)}";
        throw fail($"reads the model's data ('{data}') {where} but does not fit an RnnGraph model: only shape-only glue (Transpose, Reshape, Squeeze, Unsqueeze, Identity), " +
                   "an embedding Gather, RNN/GRU/LSTM, a dense layer (MatMul [+ Add of a bias] or Gemm) and a final Softmax/LogSoftmax can be on the path");
    }

    private string GlueStep(int node, NodeProto n, string data, Func<string, Exception> fail)
    {
        if (n.Input[0] != data) throw fail($"reads the model's data ('{data}') as a shape operand");
        switch (n.OpType)
        {
            case "Transpose":
                _shape = _shape.Transpose(GraphIndex.Attribute(n, "perm")?.Ints.ToArray(), fail);
                break;
            case "Squeeze":
                _shape = _shape.Squeeze(_index.IntsFromAttributeOrInput(node, "axes", 1), fail);
                break;
            case "Unsqueeze":
                _shape = _shape.Unsqueeze(_index.IntsFromAttributeOrInput(node, "axes", 1) ?? throw fail("has no axes"), fail);
                break;
            case "Reshape":
                {
                    var target = (n.Input.Count > 1 ? _index.Constant(n.Input[1]) : null)
                        ?? throw fail($"its shape ('{(n.Input.Count > 1 ? n.Input[1] : "")}') is computed from the model's inputs; the importer needs a constant shape (0 and -1 keep varying sizes)");
                    _shape = _shape.Reshape(target.ToInt64Array(), GraphIndex.Int(n, "allowzero", 0) != 0, fail);
                    break;
                }
            case "Flatten":
                {
                    long axis = GraphIndex.Int(n, "axis", 1);
                    if (axis < 0) axis += _shape.Rank;
                    _shape = new SymbolicShape([_shape.Axes.Take((int)axis).SelectMany(a => a).ToList(), _shape.Axes.Skip((int)axis).SelectMany(a => a).ToList()]);
                    break;
                }
            case "Dropout":
                if (n.Input.Count > 2 && n.Input[2].Length > 0 && _index.Constant(n.Input[2]) is not { } mode)
                    throw fail("has a training_mode computed at run time; only inference-mode Dropout (the identity) is shape-only");
                break;
        }
        for (int k = 1; k < n.Output.Count; k++)
            if (n.Output[k].Length > 0 && (_index.Consumers(n.Output[k]).Count > 0 || _index.Outputs.Contains(n.Output[k])))
                throw fail($"its output {k} ('{n.Output[k]}') is used; only the data output may be");
        return Output(node, 0);
    }

    private string RecurrentStep(int node, NodeProto n, string data, Func<string, Exception> fail)
    {
        if (n.Input[0] != data) throw fail($"reads the model's data ('{data}') as an input other than X");
        if (_tokens) throw fail("reads token ids directly; an RnnGraph model embeds them first (Gather from an embedding table)");
        var stage = RecurrentReader.Read(_index, node);
        bool layout1 = GraphIndex.Int(n, "layout", 0) != 0;
        if (_shape.Rank != 3) throw fail($"reads X with the layout {Show(_shape)}; X must be 3-D");
        int timeAxis = layout1 ? 1 : 0, batchAxis = layout1 ? 0 : 1;
        if (_time is null)
        {
            if (_shape.Axes[timeAxis] is not [{ Symbol: "in0" or "in1" } t] || _shape.Axes[batchAxis] is not [{ Symbol: "in0" or "in1" } b])
                throw fail($"reads X with the layout {Show(_shape)}, which does not keep the input's two leading axes as its time and batch axes");
            _time = t;
            _batch = b;
        }
        if (!_shape.AxisIs(timeAxis, [_time]) || !_shape.AxisIs(batchAxis, [_batch!]))
            throw fail($"reads X with the layout {Show(_shape)}; with layout {(layout1 ? 1 : 0)} it must be {(layout1 ? "[B,T,features]" : "[T,B,features]")} (T and B being axes {(_time.Symbol == "in0" ? "0 and 1" : "1 and 0")} of the input)");
        CheckFeatures(node, 2, stage.InputSize, "X");
        _stages.Add(stage);
        string name = n.Name.Length > 0 ? n.Name : $"#{node}";
        var dir = new Factor($"{name}:D", stage.Settings.Directions);
        var hidden = new Factor($"{name}:H", stage.Settings.Hidden);
        _shape = layout1 ? SymbolicShape.Of([_batch!], [_time], [dir], [hidden]) : SymbolicShape.Of([_time], [dir], [_batch!], [hidden]);
        _features = new SymbolicShape([[dir, hidden]]).Axes[0];
        if (n.Output.Count == 0 || n.Output[0].Length == 0)
            throw fail("has no Y output; an imported recurrent layer passes its whole output sequence on (final states alone are not a data path RnnGraph imports)");
        return n.Output[0];
    }

    private string DenseStep(int node, float[] weight, int units, int inputSize)
    {
        _stages.Add(new DenseStage(node, weight, units, inputSize));
        var o = new Factor($"{(_index.Node(node).Name is { Length: > 0 } s ? s : "#" + node)}:O", units);
        _features = [o];
        _shape = new SymbolicShape(_shape.Axes.Take(_shape.Rank - 1).Append([o]));
        return Output(node, 0);
    }

    private void CheckFeatures(int node, int axis, int size, string what)
    {
        if (!_shape.AxisIs(axis, _features))
            throw Fail(node, $"{what} has the layout {Show(_shape)}, whose axis {axis} is not the features [{string.Join("·", _features)}] in the order the previous layer produces them");
        long known = 1;
        foreach (var f in _features)
        {
            if (f.Size is not { } s) return;
            known *= s;
        }
        if (known != size) throw Fail(node, $"{what} has {known} features but the node's weights expect {size}");
    }

    private TensorValue Matrix(int node, string name, string role)
    {
        var value = _index.Constant(name)
            ?? throw Fail(node, $"its {role} ('{name}') is computed from the model's inputs; a dense layer's weight must be an initializer or constant");
        if (value.Shape.Length != 2 || !IsFloat(value.DType))
            throw Fail(node, $"its {role} ('{name}') is {value}; a dense layer's weight is a 2-D float matrix");
        return value;
    }

    private float[] BiasVector(int node, string name, int units)
    {
        var value = _index.Constant(name)
            ?? throw Fail(node, $"adds '{name}', which is computed from the model's inputs; only a constant bias [units] can follow a MatMul");
        if (!IsFloat(value.DType) || value.ElementCount != units || value.Shape.Length == 0 || value.Shape[^1] != units)
            throw Fail(node, $"adds '{name}' {value}, which is not a bias of the dense layer's {units} units");
        return value.ToFloatArray();
    }

    private string Output(int node, int k)
    {
        var n = _index.Node(node);
        if (n.Output.Count <= k || n.Output[k].Length == 0) throw Fail(node, "has no output");
        return n.Output[k];
    }

    private static bool IsFloat(DType d) => d is DType.F32 or DType.F64 or DType.F16 or DType.BF16;

    private static float[] Transposed(float[] m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
        return t;
    }
}
