using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Onnx.Import;
using RnnGraph.Onnx.Ops;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx;

/// <summary>
/// An ONNX model recovered as an RnnGraph model: the spec's text, the weights under RnnGraph (PyTorch) names, and
/// which ONNX graph input and output each eval name stands for.
/// </summary>
public sealed record OnnxImport(string SpecYaml, IReadOnlyDictionary<string, TensorValue> Weights, string Summary,
    IReadOnlyList<KeyValuePair<string, string>> Inputs, IReadOnlyList<KeyValuePair<string, string>> Outputs);

/// <summary>
/// Recognizes an RnnGraph-shaped model in an ONNX graph — an optional embedding, RNN/GRU/LSTM operators (stacked,
/// uni- or bidirectional), optional dense layers and a final Softmax/LogSoftmax — by following the data from the
/// input to the output (see <see cref="DataPathReader"/>), and writes it as a spec and weights. Gate orders go back
/// to PyTorch's (LSTM i,o,f,c → i,f,g,o; GRU z,r,h → r,z,n) and B splits into bias_ih and bias_hh. Anything RnnGraph
/// cannot express is an <see cref="OnnxException"/> naming the node and what does not fit.
/// </summary>
public static class OnnxImporter
{
    private static readonly int[] LstmGates = [0, 2, 3, 1]; // PyTorch i,f,g,o from ONNX i,o,f,c
    private static readonly int[] GruGates = [1, 0, 2];     // PyTorch r,z,n from ONNX z,r,h

    public static OnnxImport Import(OnnxModel model)
    {
        var index = new GraphIndex(model);
        var input = DataInput(index);
        var path = DataPathReader.Read(index, input);
        var layers = SpecLayers(index, path.Stages);
        var inputs = new List<KeyValuePair<string, string>> { new(input.Name, "x") };
        var outputs = new List<KeyValuePair<string, string>> { new(path.Output, "y") };
        var rnnLayers = layers.OfType<RnnLayer>().ToList();
        foreach (var layer in rnnLayers)
        {
            string prefix = rnnLayers.Count > 1 ? layer.Name + "." : "";
            foreach (var (state, pick) in new (string, Func<RecurrentStage, StateSource>)[] { ("h", s => s.InitialH), ("c", s => s.InitialC) })
                if (GivenState(index, layer, pick, state) is { } given) inputs.Add(new(given, $"{prefix}{state}0"));
        }
        CheckStateInputs(index, layers, inputs.Skip(1).Select(p => p.Key).ToHashSet());
        outputs.AddRange(StateOutputs(index, rnnLayers, path.Output));
        foreach (var name in model.Inputs.Select(i => i.Name))
            if (!inputs.Any(p => p.Key == name))
                throw new OnnxException($"{model.Source}: graph input '{name}' is neither the model's input ('{input.Name}') nor an initial state of its recurrent layers");

        var weights = new SortedDictionary<string, TensorValue>(StringComparer.Ordinal);
        foreach (var layer in layers) layer.AddWeights(weights);
        string summary = string.Join(" -> ", layers.Select(l => l.Describe()));
        string spec = SpecText(model, path, layers, inputs, outputs);
        CheckLoads(model, spec, weights);
        return new OnnxImport(spec, weights, summary, inputs, outputs);
    }

    /// <summary>The one graph input that is not an initial state of a recurrent operator.</summary>
    private static OnnxValueInfo DataInput(GraphIndex index)
    {
        var model = index.Model;
        var states = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in model.Graph.Node.Where(n => n.OpType is "RNN" or "GRU" or "LSTM"))
            foreach (int k in new[] { 5, 6 })
            {
                if (k >= node.Input.Count || node.Input[k].Length == 0) continue;
                string name = node.Input[k];
                if (index.Producer(name) is { } p && index.Node(p).OpType == "Slice") name = index.Node(p).Input[0];
                if (index.IsGraphInput(name)) states.Add(name);
            }
        var data = model.Inputs.Where(i => !states.Contains(i.Name)).ToList();
        if (data.Count == 1) return data[0];
        if (data.Count == 0)
            throw new OnnxException($"{model.Source}: the graph has no input other than initial states; an RnnGraph model reads a sequence x");
        throw new OnnxException($"{model.Source}: the graph has {data.Count} inputs ({string.Join(", ", data.Select(d => d.Name))}); an RnnGraph model reads one sequence (plus, optionally, initial states of its recurrent layers)");
    }

    private static List<SpecLayer> SpecLayers(GraphIndex index, IReadOnlyList<Stage> stages)
    {
        var layers = new List<SpecLayer>();
        int rnnCount = 0, denseCount = 0;
        for (int i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            if (i > 0 && stages[i - 1] is ActivationStage a)
                throw index.Fail(stage.Node, $"follows {index.Name(a.Node)}; RnnGraph applies softmax or log_softmax only at the end of the model");
            switch (stage)
            {
                case EmbedStage e:
                    layers.Add(new EmbedLayer(e));
                    break;
                case RecurrentStage r when layers.Count > 0 && layers[^1] is RnnLayer last && last.Stages[0].Settings == r.Settings:
                    last.Stages.Add(r);
                    break;
                case RecurrentStage r:
                    layers.Add(new RnnLayer(rnnCount++ == 0 ? "rnn" : $"rnn_{rnnCount - 1}", [r]));
                    break;
                case DenseStage d:
                    layers.Add(new DenseLayer(denseCount++ == 0 ? "dense" : $"dense_{denseCount - 1}", d));
                    break;
                case ActivationStage act:
                    ((DenseLayer)layers[^1]).Activation = act.Activation;
                    break;
            }
        }
        return layers;
    }

    /// <summary>The graph input a stack's initial state <paramref name="state"/> comes from, or null for zeros; each stacked layer must take its own rows.</summary>
    private static string? GivenState(GraphIndex index, RnnLayer layer, Func<RecurrentStage, StateSource> pick, string state)
    {
        var sources = layer.Stages.Select(pick).ToList();
        if (sources.All(s => s is StateSource.Zeros)) return null;
        int d = layer.Settings.Directions;
        string? input = (sources.FirstOrDefault(s => s is StateSource.Given) as StateSource.Given)?.Input;
        for (int l = 0; l < sources.Count; l++)
        {
            bool fits = sources[l] is StateSource.Given g && g.Input == input &&
                        ((g.Start == l * d && g.Count == d) || (sources.Count == 1 && g.Start == 0 && g.Count is null));
            if (!fits)
                throw index.Fail(layer.Stages[l].Node,
                    $"takes its initial_{state} from {Describe(sources[l])}, but RnnGraph's stacked layer {l} takes rows {l * d}..{(l + 1) * d - 1} of one {state}0 [layers·directions, batch, hidden] (here '{input}') shared by the whole stack");
        }
        return input;
    }

    private static string Describe(StateSource s) => s switch
    {
        StateSource.Given { Count: null } g => $"all of '{g.Input}'",
        StateSource.Given g => $"rows {g.Start}..{g.Start + g.Count - 1} of '{g.Input}'",
        _ => "zeros",
    };

    /// <summary>A graph input that holds initial states may feed only the recurrent operators (directly or through a Slice).</summary>
    private static void CheckStateInputs(GraphIndex index, List<SpecLayer> layers, HashSet<string> stateInputs)
    {
        var recurrent = layers.OfType<RnnLayer>().SelectMany(l => l.Stages).Select(s => s.Node).ToHashSet();
        bool feedsOnlyStates(string value) => index.Consumers(value).All(c =>
            recurrent.Contains(c) && index.Node(c).Input.Select((n, k) => (n, k)).All(p => p.n != value || p.k is 5 or 6));
        foreach (string name in stateInputs)
            foreach (int c in index.Consumers(name))
            {
                var node = index.Node(c);
                bool ok = node.OpType == "Slice" ? node.Input[0] == name && feedsOnlyStates(node.Output[0]) : feedsOnlyStates(name);
                if (!ok) throw index.Fail(c, $"reads '{name}', which holds initial states; an imported model uses it only as the recurrent layers' initial states");
            }
    }

    /// <summary>Graph outputs other than y: each must be a stack's final h or c (every layer's Y_h / Y_c concatenated along axis 0).</summary>
    private static List<KeyValuePair<string, string>> StateOutputs(GraphIndex index, List<RnnLayer> rnnLayers, string y)
    {
        var model = index.Model;
        var result = new List<KeyValuePair<string, string>>();
        var allowedConsumers = new HashSet<int>();
        foreach (var output in model.Outputs.Select(o => o.Name).Where(o => o != y))
        {
            string? found = null;
            foreach (var layer in rnnLayers)
            {
                string prefix = rnnLayers.Count > 1 ? layer.Name + "." : "";
                foreach (var (slot, state) in new[] { (1, "h"), (2, "c") })
                {
                    var parts = layer.Stages.Select(s => index.Node(s.Node).Output.ElementAtOrDefault(slot) ?? "").ToList();
                    if (parts.Any(p => p.Length == 0)) continue;
                    bool whole = parts.Count == 1 && parts[0] == output;
                    int? producer = index.Producer(output);
                    bool concat = producer is { } p && index.Node(p).OpType == "Concat" && GraphIndex.Int(index.Node(p), "axis", 0) == 0 &&
                                  index.Node(p).Input.SequenceEqual(parts);
                    if (!whole && !concat) continue;
                    var layout1 = layer.Stages.FirstOrDefault(s => GraphIndex.Int(index.Node(s.Node), "layout", 0) != 0);
                    if (layout1 is not null)
                        throw index.Fail(layout1.Node, $"has layout = 1, so its final state Y_{state} (graph output '{output}') is batch-major; RnnGraph's {state}_n is [layers·directions, batch, hidden]");
                    if (concat) allowedConsumers.Add(producer!.Value);
                    found = $"{prefix}{state}_n";
                }
            }
            if (found is null)
                throw new OnnxException($"{model.Source}: graph output '{output}' is neither the model's output y ('{y}') nor the final states of its recurrent layers (each stacked layer's Y_h or Y_c, concatenated along axis 0)");
            result.Add(new(output, found));
        }
        foreach (var stage in rnnLayers.SelectMany(l => l.Stages))
        {
            var node = index.Node(stage.Node);
            for (int slot = 1; slot < node.Output.Count; slot++)
            {
                if (node.Output[slot].Length == 0) continue;
                foreach (int c in index.Consumers(node.Output[slot]))
                    if (!allowedConsumers.Contains(c))
                        throw index.Fail(c, $"reads the final state '{node.Output[slot]}' of {index.Name(stage.Node)}; an imported model's final states can only be its outputs h_n/c_n");
            }
        }
        return result;
    }

    private static string SpecText(OnnxModel model, DataPathReader.Result path, List<SpecLayer> layers,
        List<KeyValuePair<string, string>> inputs, List<KeyValuePair<string, string>> outputs)
    {
        var w = new System.Text.StringBuilder();
        w.Append($"# Imported by `rnngraph import` from {model.Source}: {string.Join(" -> ", layers.Select(l => l.Describe()))}.\n");
        w.Append($"# Eval inputs: {string.Join(", ", inputs.Select(p => $"{p.Value} (ONNX '{p.Key}')"))}; outputs: {string.Join(", ", outputs.Select(p => $"{p.Value} (ONNX '{p.Key}')"))}.\n");
        w.Append("model:\n  inputs:\n");
        if (path.Tokens)
        {
            var embed = layers.OfType<EmbedLayer>().FirstOrDefault()
                ?? throw new OnnxException($"{model.Source}: input '{path.Input.Name}' holds token ids but no embedding reads them");
            w.Append($"    x: {{ vocab: {embed.Stage.Table.Shape[0]}{(embed.OneHot ? ", one_hot: true" : "")} }}\n");
        }
        else
        {
            int size = path.InputSize ?? (layers[0] is DenseLayer d ? d.Stage.InputSize : throw new InvalidOperationException("input size unknown"));
            w.Append($"    x: {{ size: {size} }}\n");
        }
        w.Append("  layers:\n");
        foreach (var layer in layers.Where(l => l is not EmbedLayer { OneHot: true })) w.Append("    - ").Append(layer.Yaml(path.BatchFirst)).Append('\n');
        return w.ToString();
    }

    /// <summary>The spec must load and declare exactly the weights recovered; anything else is an importer bug.</summary>
    private static void CheckLoads(OnnxModel model, string spec, IReadOnlyDictionary<string, TensorValue> weights)
    {
        var compilation = Compilation.Create(new SourceText("spec.yaml", spec));
        if (compilation.HasErrors || compilation.Model is null)
            throw new InvalidOperationException($"the spec imported from {model.Source} does not load: {string.Join("; ", compilation.Diagnostics.Sorted().Select(d => d.ToString()))}\n{spec}");
        var declared = compilation.Model.Parameters.ToDictionary(p => p.Name, p => p.Dims);
        bool same = declared.Count == weights.Count && weights.All(p => declared.TryGetValue(p.Key, out var dims) && dims.SequenceEqual(p.Value.Shape));
        if (!same)
            throw new InvalidOperationException($"the spec imported from {model.Source} declares [{string.Join(", ", declared.Select(p => $"{p.Key}[{string.Join(",", p.Value)}]"))}] but the weights are [{string.Join(", ", weights.Select(p => $"{p.Key}{Tensors.Format(p.Value.Shape)}"))}]");
    }

    /// <summary>One layer of the spec being written.</summary>
    private abstract class SpecLayer
    {
        public abstract string Describe();

        public abstract string Yaml(bool batchFirst);

        public abstract void AddWeights(IDictionary<string, TensorValue> weights);
    }

    private sealed class EmbedLayer(EmbedStage stage) : SpecLayer
    {
        public EmbedStage Stage { get; } = stage;

        /// <summary>A lookup in the identity matrix is the one-hot encoding of the tokens (<c>one_hot: true</c>), not a trained embedding.</summary>
        public bool OneHot { get; } = IsIdentity(stage.Table);

        public override string Describe() => OneHot ? $"one-hot {Stage.Table.Shape[0]}" : $"embed {Stage.Table.Shape[0]}x{Stage.Table.Shape[1]}";

        private static bool IsIdentity(TensorValue table)
        {
            int n = table.Shape[0];
            if (table.Shape[1] != n) return false;
            var values = table.ToDoubleArray();
            for (int i = 0; i < values.Length; i++)
                if (values[i] != (i / n == i % n ? 1 : 0)) return false;
            return true;
        }

        public override string Yaml(bool batchFirst) => $"embed: {{ dim: {Stage.Table.Shape[1]} }}";

        public override void AddWeights(IDictionary<string, TensorValue> weights)
        {
            if (!OneHot) weights["embed.weight"] = TensorValue.FromFloat(Stage.Table.ToFloatArray(), Stage.Table.Shape);
        }
    }

    private sealed class DenseLayer(string name, DenseStage stage) : SpecLayer
    {
        public string Name { get; } = name;

        public DenseStage Stage { get; } = stage;

        public string Activation { get; set; } = "none";

        public override string Describe() => $"dense {Stage.Units}" + (Activation == "none" ? "" : $" + {Activation}");

        public override string Yaml(bool batchFirst) =>
            $"dense: {{ units: {Stage.Units}{(Activation == "none" ? "" : $", activation: {Activation}")}{(Stage.Bias is null ? ", bias: false" : "")} }}";

        public override void AddWeights(IDictionary<string, TensorValue> weights)
        {
            weights[$"{Name}.weight"] = TensorValue.FromFloat(Stage.Weight, Stage.Units, Stage.InputSize);
            if (Stage.Bias is { } b) weights[$"{Name}.bias"] = TensorValue.FromFloat(b, Stage.Units);
        }
    }

    private sealed class RnnLayer(string name, List<RecurrentStage> stages) : SpecLayer
    {
        public string Name { get; } = name;

        public List<RecurrentStage> Stages { get; } = stages;

        public RecurrentSettings Settings => Stages[0].Settings;

        public override string Describe() =>
            $"{Settings.Cell} {Settings.Hidden}" + (Stages.Count > 1 ? $" x{Stages.Count} layers" : "") + (Settings.Directions == 2 ? " bidirectional" : "");

        public override string Yaml(bool batchFirst)
        {
            var s = Settings;
            var keys = new List<string> { $"cell: {s.Cell}", $"hidden: {s.Hidden}" };
            if (Stages.Count > 1) keys.Add($"layers: {Stages.Count}");
            if (s.Directions == 2) keys.Add("bidirectional: true");
            if (!s.Bias) keys.Add("bias: false");
            if (batchFirst) keys.Add("batch_first: true");
            if (!s.ResetAfter) keys.Add("reset_after: false");
            if (s.Peepholes) keys.Add("peepholes: true");
            return $"rnn: {{ {string.Join(", ", keys)} }}";
        }

        public override void AddWeights(IDictionary<string, TensorValue> weights)
        {
            var s = Settings;
            int[] order = s.Cell switch { "lstm" => LstmGates, "gru" => GruGates, _ => [0] };
            int gh = order.Length * s.Hidden;
            for (int l = 0; l < Stages.Count; l++)
            {
                var stage = Stages[l];
                float[] w = stage.W.ToFloatArray(), r = stage.R.ToFloatArray();
                float[]? b = stage.B?.ToFloatArray(), p = stage.P?.ToFloatArray();
                for (int d = 0; d < s.Directions; d++)
                {
                    string suffix = $"_l{l}{(d == 1 ? "_reverse" : "")}";
                    int input = stage.InputSize;
                    weights[$"{Name}.weight_ih{suffix}"] = TensorValue.FromFloat(Gates(w, d * gh * input, order, s.Hidden * input), gh, input);
                    weights[$"{Name}.weight_hh{suffix}"] = TensorValue.FromFloat(Gates(r, d * gh * s.Hidden, order, s.Hidden * s.Hidden), gh, s.Hidden);
                    if (b is not null)
                    {
                        weights[$"{Name}.bias_ih{suffix}"] = TensorValue.FromFloat(Gates(b, d * 2 * gh, order, s.Hidden), gh);
                        weights[$"{Name}.bias_hh{suffix}"] = TensorValue.FromFloat(Gates(b, d * 2 * gh + gh, order, s.Hidden), gh);
                    }
                    // Peepholes keep ONNX's order i,o,f, which is the order of RnnGraph's weight_p.
                    if (p is not null) weights[$"{Name}.weight_p{suffix}"] = TensorValue.FromFloat(p.AsSpan(d * 3 * s.Hidden, 3 * s.Hidden).ToArray(), 3 * s.Hidden);
                }
            }
        }

        /// <summary>The gate blocks (each <paramref name="block"/> values) starting at <paramref name="offset"/>, put in PyTorch's order.</summary>
        private static float[] Gates(float[] source, int offset, int[] order, int block)
        {
            var result = new float[order.Length * block];
            for (int g = 0; g < order.Length; g++)
                Array.Copy(source, offset + order[g] * block, result, g * block, block);
            return result;
        }
    }
}
