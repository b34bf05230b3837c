using Google.Protobuf;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx;

/// <summary>
/// Reads an ONNX file and checks it before anything runs: size and nesting limits, a graph whose nodes come
/// in topological order with every value defined once, initializers whose data fits their shapes, and external
/// data that stays inside the model's folder. Every problem is an <see cref="OnnxException"/> naming the file
/// and, where one is to blame, the node.
/// </summary>
public static class OnnxModelReader
{
    /// <summary>The oldest and newest default-domain operator sets whose semantics RnnGraph implements.</summary>
    public const int MinOpset = 7, MaxOpset = 21;

    public static OnnxModel Read(string path, OnnxLimits? limits = null)
    {
        limits ??= OnnxLimits.Default;
        string name = Path.GetFileName(path);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new OnnxException($"cannot read '{path}': no such file");
        if (info.Length > limits.MaxModelBytes)
            throw new OnnxException($"{name}: the file is {info.Length:N0} bytes, above the {limits.MaxModelBytes:N0}-byte limit for ONNX models");
        byte[] bytes = File.ReadAllBytes(path);
        return Parse(bytes, name, Path.GetDirectoryName(Path.GetFullPath(path))!, limits);
    }

    /// <summary>Parses a model held in memory; <paramref name="folder"/> is where external data would be looked up (null: none allowed).</summary>
    public static OnnxModel Parse(byte[] bytes, string name, string? folder = null, OnnxLimits? limits = null)
    {
        limits ??= OnnxLimits.Default;
        if (bytes.LongLength > limits.MaxModelBytes)
            throw new OnnxException($"{name}: the model is {bytes.LongLength:N0} bytes, above the {limits.MaxModelBytes:N0}-byte limit for ONNX models");
        ModelProto proto;
        try
        {
            var input = CodedInputStream.CreateWithLimits(new MemoryStream(bytes, writable: false), (int)Math.Min(int.MaxValue, limits.MaxModelBytes), limits.MaxNesting);
            proto = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxException($"{name}: not a valid ONNX model ({e.Message.TrimEnd('.')})", e);
        }
        return Check(proto, name, folder, limits);
    }

    private static OnnxModel Check(ModelProto proto, string name, string? folder, OnnxLimits limits)
    {
        if (proto.Graph is null)
            throw new OnnxException($"{name}: not an ONNX model (it has no graph)");
        if (!proto.HasIrVersion || proto.IrVersion < 3)
            throw new OnnxException($"{name}: the model declares IR version {(proto.HasIrVersion ? proto.IrVersion.ToString() : "none")}; RnnGraph reads IR version 3 and later (models with opset_import)");
        long opset = -1;
        foreach (var import in proto.OpsetImport)
        {
            if (import.Domain is "" or "ai.onnx") opset = import.Version;
        }
        if (opset < 0)
            throw new OnnxException($"{name}: the model imports no version of the default operator set (opset_import has no entry for domain \"\")");
        if (opset < MinOpset || opset > MaxOpset)
            throw new OnnxException($"{name}: the model uses operator set {opset}; RnnGraph implements opsets {MinOpset} to {MaxOpset} (re-export with e.g. opset_version=14)");
        var graph = proto.Graph;
        if (graph.SparseInitializer.Count > 0)
            throw new OnnxException($"{name}: sparse initializer '{graph.SparseInitializer[0].Values?.Name}' is not supported; store it as a dense initializer");
        if (graph.Node.Count > limits.MaxNodes)
            throw new OnnxException($"{name}: the graph has {graph.Node.Count:N0} nodes, above the limit of {limits.MaxNodes:N0}");

        var initializers = new Dictionary<string, TensorValue>(StringComparer.Ordinal);
        long tensorBytes = 0;
        foreach (var tensor in graph.Initializer)
        {
            if (string.IsNullOrEmpty(tensor.Name))
                throw new OnnxException($"{name}: an initializer has no name");
            string describe = $"{name}: initializer '{tensor.Name}'";
            if (initializers.ContainsKey(tensor.Name))
                throw new OnnxException($"{describe} is defined twice");
            var value = OnnxTensors.FromProto(tensor, describe, folder is null ? null : t => ReadExternal(t, describe, folder, limits), limits);
            tensorBytes += (long)value.ElementCount * value.DType.ItemSize();
            if (tensorBytes > limits.MaxTensorBytes)
                throw new OnnxException($"{describe} takes the model's initializers past {limits.MaxTensorBytes:N0} bytes, the limit");
            initializers.Add(tensor.Name, value);
        }

        var defined = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in initializers.Keys) defined[key] = "initializer";
        var inputs = new List<OnnxValueInfo>();
        foreach (var input in graph.Input)
        {
            var info = ValueInfo(input, name, "input");
            if (initializers.ContainsKey(input.Name)) continue; // an input with a default value: the initializer
            if (defined.ContainsKey(input.Name))
                throw new OnnxException($"{name}: graph input '{input.Name}' is declared twice");
            defined[input.Name] = "graph input";
            inputs.Add(info);
        }

        // Where each value is produced, to tell "used before it is produced" from "never produced".
        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Node.Count; i++)
            foreach (var output in graph.Node[i].Output)
                if (output.Length > 0) producers.TryAdd(output, i);

        for (int i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            string describe = $"{name}: {OnnxModel.Describe(node, i)}";
            if (string.IsNullOrEmpty(node.OpType))
                throw new OnnxException($"{describe} has no op_type");
            if (node.Domain is not ("" or "ai.onnx"))
                throw new OnnxException($"{describe} is from operator domain '{node.Domain}'; RnnGraph runs only the default ONNX domain");
            foreach (var input in node.Input)
            {
                if (input.Length == 0 || defined.ContainsKey(input)) continue;
                if (producers.TryGetValue(input, out int later) && later >= i)
                    throw new OnnxException($"{describe} uses '{input}' before {OnnxModel.Describe(graph.Node[later], later)} produces it; the nodes must be in topological order");
                throw new OnnxException($"{describe} uses '{input}', which no graph input, initializer or node defines");
            }
            foreach (var output in node.Output)
            {
                if (output.Length == 0) continue;
                if (defined.TryGetValue(output, out var by))
                    throw new OnnxException($"{describe} produces '{output}', which is already defined (by {by}); every value must be defined once");
                defined[output] = OnnxModel.Describe(node, i);
            }
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is not null || attribute.Graphs.Count > 0)
                    throw new OnnxException($"{describe} has a subgraph attribute '{attribute.Name}'; RnnGraph does not run control flow (If, Loop, Scan)");
            }
        }

        var outputs = new List<OnnxValueInfo>();
        foreach (var output in graph.Output)
        {
            var info = ValueInfo(output, name, "output");
            if (!defined.ContainsKey(output.Name))
                throw new OnnxException($"{name}: graph output '{output.Name}' is not produced by any node, input or initializer");
            outputs.Add(info);
        }
        if (outputs.Count == 0)
            throw new OnnxException($"{name}: the graph declares no outputs");
        return new OnnxModel(name, proto, opset, initializers, inputs, outputs);
    }

    private static OnnxValueInfo ValueInfo(ValueInfoProto value, string name, string role)
    {
        if (string.IsNullOrEmpty(value.Name))
            throw new OnnxException($"{name}: a graph {role} has no name");
        if (value.Type is null) return new OnnxValueInfo(value.Name, null, null, null, null);
        if (value.Type.TensorType is not { } tensor)
            throw new OnnxException($"{name}: graph {role} '{value.Name}' is not a tensor (sequences, maps and optionals are not supported)");
        DType? dtype = null;
        if (tensor.HasElemType)
        {
            dtype = OnnxTensors.ToDType(tensor.ElemType)
                ?? throw new OnnxException($"{name}: graph {role} '{value.Name}' has element type {OnnxTensors.TypeName(tensor.ElemType)}, which RnnGraph does not support");
        }
        List<long?>? shape = null;
        List<string?>? names = null;
        if (tensor.Shape is not null)
        {
            shape = [];
            names = [];
            foreach (var dim in tensor.Shape.Dim)
            {
                shape.Add(dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? dim.DimValue : null);
                names.Add(dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? dim.DimParam : null);
            }
        }
        return new OnnxValueInfo(value.Name, dtype, tensor.HasElemType ? tensor.ElemType : null, shape, names);
    }

    /// <summary>
    /// Reads a tensor's external data. The location must be a relative path that stays inside the model's folder,
    /// also after following symbolic links, and offset and length must lie inside the file.
    /// </summary>
    private static byte[] ReadExternal(TensorProto tensor, string describe, string folder, OnnxLimits limits)
    {
        string? location = null;
        long offset = 0, length = -1;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset":
                    if (!long.TryParse(entry.Value, out offset) || offset < 0)
                        throw new OnnxException($"{describe}: external data offset '{entry.Value}' is not a non-negative integer");
                    break;
                case "length":
                    if (!long.TryParse(entry.Value, out length) || length < 0)
                        throw new OnnxException($"{describe}: external data length '{entry.Value}' is not a non-negative integer");
                    break;
            }
        }
        if (string.IsNullOrEmpty(location))
            throw new OnnxException($"{describe} has external data without a location");
        if (Path.IsPathRooted(location) || location.Contains('\0'))
            throw new OnnxException($"{describe}: external data location '{location}' must be a path relative to the model's folder");
        string root = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string full = Path.GetFullPath(Path.Combine(root, location));
        if (!full.StartsWith(root, StringComparison.Ordinal))
            throw new OnnxException($"{describe}: external data location '{location}' leads outside the model's folder; external data must sit beside the model");
        var file = new FileInfo(full);
        if (!file.Exists)
            throw new OnnxException($"{describe}: external data file '{location}' does not exist beside the model");
        if (file.ResolveLinkTarget(returnFinalTarget: true) is { } target && !Path.GetFullPath(target.FullName).StartsWith(root, StringComparison.Ordinal))
            throw new OnnxException($"{describe}: external data file '{location}' is a link to '{target.FullName}', outside the model's folder");
        if (file.Length > limits.MaxTensorBytes)
            throw new OnnxException($"{describe}: external data file '{location}' is {file.Length:N0} bytes, above the {limits.MaxTensorBytes:N0}-byte limit");
        if (length < 0) length = file.Length - offset;
        if (offset > file.Length || length > file.Length - offset)
            throw new OnnxException($"{describe}: external data range {offset}+{length} lies outside '{location}' ({file.Length:N0} bytes)");
        var data = new byte[length];
        using var stream = file.OpenRead();
        stream.Position = offset;
        stream.ReadExactly(data);
        return data;
    }
}
