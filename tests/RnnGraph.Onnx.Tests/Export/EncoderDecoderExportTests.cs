using Google.Protobuf;
using RnnGraph.Onnx.Export;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Tests.Export;

/// <summary>
/// An encoder-decoder exported as its encoder and one decoder step, run by <see cref="OnnxEvaluator"/> as a decoding loop would
/// (encode once, then step by step, each step's states and feed into the next): every step's logits equal those of RnnGraph's
/// whole unrolled model fed the same tokens, over padded sources of different lengths, for each bridge and attention.
/// </summary>
public sealed class EncoderDecoderExportTests
{
    private const int S = 5, T = 4, B = 3, V = 7;

    public static TheoryData<string, string, string, string> Models() => new()
    {
        { "gru", "true", "concat", "{ type: additive, units: 4 }" },
        { "lstm", "false", "copy", "general" },
        { "gru", "true", "dense", "dot" },
        { "lstm", "true", "sum", "none" },
    };

    private static Compiler.Compilation Spec(string cell, string bidirectional, string bridge, string attention) => ExportCases.Compile($$"""
        model:
          topology: encoder-decoder
          inputs:
            x: { vocab: 9 }
          encoder:
            - embed: { dim: 3 }
            - rnn: { cell: {{cell}}, hidden: 4, layers: 2, bidirectional: {{bidirectional}} }
          bridge: {{bridge}}
          attention: {{attention}}
          decoder:
            - embed: { dim: 3 }
            - rnn: { cell: {{cell}}, hidden: {{(bridge == "concat" || attention == "dot" ? 8 : bridge == "dense" ? 6 : 4)}}, layers: 2 }
            - dense: { units: {{V}} }
          max_output_length: 8
        """);

    [Theory]
    [MemberData(nameof(Models))]
    public void Encoding_then_stepping_gives_the_whole_models_logits(string cell, string bidirectional, string bridge, string attention)
    {
        var compilation = Spec(cell, bidirectional, bridge, attention);
        var weights = ExportCases.RandomWeights(compilation.Model!, seed: 4);
        var (encoderProto, decoderProto) = OnnxExporter.ExportEncoderDecoder(compilation, weights, new OnnxExportOptions(Steps: S));
        var encoder = OnnxModelReader.Parse(encoderProto.ToByteArray(), "encoder.onnx");
        var decoder = OnnxModelReader.Parse(decoderProto.ToByteArray(), "decoder.onnx");

        // Sources of lengths 5, 3 and 1 padded with 0; decoder inputs <bos> (2) then arbitrary tokens.
        var random = new Random(9);
        long[] lengths = [5, 3, 1];
        var source = new long[S * B];
        for (int t = 0; t < S; t++)
            for (int b = 0; b < B; b++) source[t * B + b] = t < lengths[b] ? random.Next(1, 9) : 0;
        var tokens = new long[T * B];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = i < B ? 2 : random.Next(V);

        var expected = TensorEvaluator.Evaluate(compilation, weights, new Dictionary<string, TensorValue>
        {
            ["x"] = TensorValue.FromInt64(source, S, B),
            ["lengths"] = TensorValue.FromInt64(lengths, B),
            ["decoder_input"] = TensorValue.FromInt64(tokens, T, B),
        })["y"].ToFloatArray();

        var encoded = OnnxEvaluator.Evaluate(encoder, new Dictionary<string, TensorValue>
        {
            ["x"] = TensorValue.FromInt64(source, S, B),
            ["lengths"] = TensorValue.FromInt64(lengths, B),
        });
        Assert.Equal([S, B, bidirectional == "true" ? 8 : 4], encoded["memory"].Shape);
        var carried = encoded.Where(e => e.Key.StartsWith("state.", StringComparison.Ordinal)).ToDictionary(e => e.Key, e => e.Value);
        Assert.NotEmpty(carried);
        // Luong's attentional vector starts at zeros, one per decoder hidden unit.
        int hidden = compilation.Model!.EncoderDecoder!.DecoderRnn.Hidden;
        TensorValue? feed = decoder.Inputs.Any(i => i.Name == "feed") ? TensorValue.FromFloat(new float[B * hidden], B, hidden) : null;
        for (int t = 0; t < T; t++)
        {
            var inputs = new Dictionary<string, TensorValue>(carried)
            {
                ["memory"] = encoded["memory"],
                ["lengths"] = TensorValue.FromInt64(lengths, B),
                ["decoder_input"] = TensorValue.FromInt64(tokens[(t * B)..((t + 1) * B)], B),
            };
            if (encoded.TryGetValue("keys", out var keys)) inputs["keys"] = keys;
            if (feed is not null) inputs["feed"] = feed;
            // Without attention the step reads neither the memory nor the lengths.
            var declared = decoder.Inputs.Select(i => i.Name).ToHashSet();
            var step = OnnxEvaluator.Evaluate(decoder, inputs.Where(i => declared.Contains(i.Key)).ToDictionary());

            var logits = step["y"].ToFloatArray();
            Assert.Equal(B * V, logits.Length);
            for (int i = 0; i < logits.Length; i++)
                Assert.True(Math.Abs(logits[i] - expected[t * B * V + i]) <= 1e-5 + 1e-4 * Math.Abs(expected[t * B * V + i]),
                            $"step {t}, y[{i}]: ONNX {logits[i]}, RnnGraph {expected[t * B * V + i]}");
            if (attention != "none")
            {
                // Rows sum to one over each source's own steps and give padding nothing.
                var weights2 = step["attention"].ToFloatArray();
                for (int b = 0; b < B; b++)
                {
                    Assert.Equal(1.0, weights2.Skip(b * S).Take(S).Sum(), 5);
                    for (int j = (int)lengths[b]; j < S; j++) Assert.Equal(0f, weights2[b * S + j]);
                }
            }
            carried = step.Where(e => e.Key.StartsWith("state.", StringComparison.Ordinal))
                          .ToDictionary(e => e.Key[..^EncoderDecoderExporter.NextSuffix.Length], e => e.Value);
            if (feed is not null) feed = step["feed.next"];
        }
    }

    [Fact]
    public void The_graphs_name_their_inputs_and_outputs_for_a_decoding_loop()
    {
        var compilation = Spec("lstm", "false", "copy", "general");
        var (encoder, decoder) = OnnxExporter.ExportEncoderDecoder(compilation, ExportCases.RandomWeights(compilation.Model!, 1), new OnnxExportOptions(Steps: S));

        Assert.Equal(["x", "lengths"], encoder.Graph.Input.Select(i => i.Name));
        Assert.Equal(["memory", "keys", "state.h", "state.c"], encoder.Graph.Output.Select(o => o.Name));
        Assert.Equal(["decoder_input", "feed", "keys", "memory", "state.c", "state.h", "lengths"], decoder.Graph.Input.Select(i => i.Name).Order(StringComparer.Ordinal).Where(n => n != "lengths").Append("lengths"));
        Assert.Equal(["y", "state.h.next", "state.c.next", "feed.next", "attention"], decoder.Graph.Output.Select(o => o.Name));
    }

    [Fact]
    public void Without_a_source_length_export_is_refused()
    {
        var compilation = Spec("gru", "true", "concat", "dot");

        var error = Assert.Throws<OnnxException>(() => OnnxExporter.ExportEncoderDecoder(compilation, ExportCases.RandomWeights(compilation.Model!, 1), new OnnxExportOptions()));

        Assert.StartsWith("an encoder-decoder exports unrolled over a fixed source length: give --steps S", error.Message, StringComparison.Ordinal);
        Assert.Contains("exports as two models", Assert.Throws<OnnxException>(() =>
            OnnxExporter.Export(compilation, ExportCases.RandomWeights(compilation.Model!, 1), new OnnxExportOptions(Steps: S))).Message, StringComparison.Ordinal);
    }
}
