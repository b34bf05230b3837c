using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Unrolling;
using static RnnGraph.Onnx.Export.OnnxGraphBuilder;
using static RnnGraph.Onnx.Proto.TensorProto.Types;
using N = RnnGraph.Compiler.Binding.EncoderDecoderNames;

namespace RnnGraph.Onnx.Export;

/// <summary>
/// An encoder-decoder as the two graphs a decoding loop runs, each unrolled over a fixed source length S with a symbolic batch,
/// as primitive ONNX operators (the graphs RnnGraph's own greedy and beam decoders run):
/// <list type="bullet">
/// <item>the encoder: source ids [S,batch] (int64; features [S,batch,I] for a float input) and <c>lengths</c> [batch] (int64, each
/// source's length, at most S) in; the <c>memory</c> [S,batch,E] the attention reads, its <c>keys</c> [S,batch,K] (additive and
/// general attention) and the decoder's initial states (<c>state.h</c>, <c>state.c</c> [L,batch,H]) out;</item>
/// <item>one decoder step: those, the previous token <c>decoder_input</c> [batch] (int64; &lt;bos&gt; first) and, for Luong attention,
/// <c>feed</c> [batch,H] (zeros first) in; the logits <c>y</c> [batch,V], the next states <c>state.h.next</c> (<c>state.c.next</c>),
/// <c>feed.next</c> and the <c>attention</c> weights [batch,S] out.</item>
/// </list>
/// Source steps past a source's length get no attention weight and leave the encoder's states as they were.
/// </summary>
internal static class EncoderDecoderExporter
{
    public const string Lengths = "lengths";
    public const string NextSuffix = ".next";
    private const string Batch = "batch";

    public static (OnnxGraphBuilder Encoder, OnnxGraphBuilder Decoder) Build(Compilation compilation, BoundModel model, IReadOnlyDictionary<string, float[]> weights, int steps)
    {
        var encoder = compilation.Unroll(new UnrollOptions(steps, null, Masked: true) { Part = EncoderDecoderPart.Encoder });
        var decoder = compilation.Unroll(new UnrollOptions(steps) { Part = EncoderDecoderPart.DecoderStep });
        return (BuildEncoder(model, encoder, weights, steps), BuildDecoder(model, decoder, weights, steps));
    }

    private static OnnxGraphBuilder BuildEncoder(BoundModel model, Graph graph, IReadOnlyDictionary<string, float[]> weights, int steps)
    {
        var b = new OnnxGraphBuilder();
        b.Graph.Name = "rnngraph_encoder";
        var input = model.Input;
        int timeAxis = model.BatchFirst ? 1 : 0, batchAxis = model.BatchFirst ? 0 : 1;
        b.Reserve(input.Name);
        b.Reserve(Lengths);
        foreach (var name in graph.Outputs.Select(o => o.Name).Distinct()) b.Reserve(name);
        object[] dims = input.IsTokens
            ? (model.BatchFirst ? [Batch, steps] : [steps, Batch])
            : (model.BatchFirst ? [Batch, steps, input.Size] : [steps, Batch, input.Size]);
        b.Input(input.Name, input.IsTokens ? DataType.Int64 : DataType.Float, dims);
        b.Input(Lengths, DataType.Int64, Batch);
        var masks = new Masks(b);
        var values = UnrolledGraphExporter.Emit(b, graph, weights, node => node.Attributes.Name == ModelNames.Mask
            ? masks.At(node.Attributes.Index)
            : UnrolledGraphExporter.InputValue(b, node, input.Name, timeAxis, new Dictionary<string, int>(), UnrolledGraphExporter.Stem(node)), input.Name, batchAxis);
        UnrolledGraphExporter.Outputs(b, graph, values, 0, name => name);
        return b;
    }

    private static OnnxGraphBuilder BuildDecoder(BoundModel model, Graph graph, IReadOnlyDictionary<string, float[]> weights, int steps)
    {
        var b = new OnnxGraphBuilder();
        b.Graph.Name = "rnngraph_decoder_step";
        b.Reserve(Lengths);
        var inputs = graph.Inputs.Where(n => n.Attributes.Name != ModelNames.Mask).GroupBy(n => n.Attributes.Name!).ToList();
        foreach (var group in inputs) b.Reserve(group.Key);
        foreach (var name in graph.Outputs.Select(o => OutputName(o.Name)).Distinct()) b.Reserve(name);
        var stacked = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in inputs)
        {
            var first = group.First();
            var shape = first.Shape.Dims.ToArray().Select(d => d == Shape.Batch ? (object)Batch : d).ToList();
            var kind = (InputKind)first.Attributes.I0;
            // Indexed inputs (memory and keys per source step, states per layer) come stacked on a new first axis.
            if (group.Key != N.DecoderInput && group.All(n => n.Attributes.Index >= 0))
            {
                stacked[group.Key] = group.Key is N.Memory or N.Keys ? steps : group.Max(n => n.Attributes.Index) + 1;
                shape.Insert(0, stacked[group.Key]);
            }
            b.Input(group.Key, kind == InputKind.TokenIds ? DataType.Int64 : DataType.Float, [.. shape]);
        }
        // The source lengths give the attention's masks; a decoder without attention reads no source step.
        if (graph.Inputs.Any(n => n.Attributes.Name == ModelNames.Mask)) b.Input(Lengths, DataType.Int64, Batch);
        var masks = new Masks(b);
        var values = UnrolledGraphExporter.Emit(b, graph, weights, node =>
        {
            var a = node.Attributes;
            if (a.Name == ModelNames.Mask) return masks.At(a.Index);
            // Stacked inputs one step or layer at a time; the token and the feed as they are.
            return stacked.ContainsKey(a.Name!) ? UnrolledGraphExporter.InputValue(b, node, N.DecoderInput, 0, stacked, UnrolledGraphExporter.Stem(node)) : a.Name!;
        }, N.DecoderInput, 0);
        UnrolledGraphExporter.Outputs(b, graph, values, 0, OutputName);
        return b;
    }

    /// <summary>A decoder step's output: the logits and attention as they are, the states and feed it passes on with <c>.next</c>.</summary>
    private static string OutputName(string name) => name.StartsWith("state.", StringComparison.Ordinal) || name == N.Feed ? name + NextSuffix : name;

    /// <summary>mask[j] [batch,1] from the lengths: 1 where j is before a source's length, else 0 (made once per step).</summary>
    private sealed class Masks(OnnxGraphBuilder b)
    {
        private readonly Dictionary<int, string> _made = new();

        public string At(int j)
        {
            if (_made.TryGetValue(j, out var mask)) return mask;
            var inside = b.Node("Less", $"mask.s{j}.inside", [b.Int64Scalar($"source_step{j}", j), Lengths]);
            var value = b.Node("Cast", $"mask.s{j}.float", [inside], Int("to", (int)DataType.Float));
            return _made[j] = b.Node("Unsqueeze", $"mask.s{j}", [value, b.Int64s($"mask.s{j}.axis", 1)]);
        }
    }
}
