using RnnGraph.Compiler.Printing;
using RnnGraph.Dsl.Text;
using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Printing;

/// <summary>
/// The unrolled graph (T=3) of a small one-to-many model in each condition mode, so a change to how the condition
/// and the fed-back tokens enter shows as a diff in review. Accept changes with RNNGRAPH_ACCEPT_SNAPSHOTS=1.
/// </summary>
public sealed class TopologyDumpSnapshotTests
{
    [Theory]
    [InlineData("first-step")]
    [InlineData("state")]
    public void One_to_many_unrolled(string condition)
    {
        var compilation = Compilation.Create(new SourceText("gen.yaml",
            $"model:\n  topology: one-to-many\n  condition: {condition}\n  inputs:\n    gender: {{ size: 2 }}\n  layers:\n" +
            "    - rnn: { cell: rnn_tanh, hidden: 2 }\n    - dense: { units: 3 }\n"));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics.Sorted()));
        var graph = compilation.Stage("unrolled", 3);
        RnnGraph.Compiler.Passes.GraphVerifier.Verify(graph);
        Snapshot.Verify(GraphTextPrinter.Print(graph), parameters: condition);
    }

    /// <summary>A tiny encoder-decoder: 3 source steps with their own lengths, 2 decoder steps: the encoder, the bridge, the attention and each decoder step.</summary>
    [Theory]
    [InlineData("additive", "concat")]
    [InlineData("general", "dense")]
    public void Encoder_decoder_unrolled(string attention, string bridge)
    {
        var compilation = Compilation.Create(new SourceText("s2s.yaml", EncoderDecoderSpec(attention, bridge)));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics.Sorted()));
        var graph = compilation.Stage("unrolled", 3, masked: true, targetSteps: 2);
        RnnGraph.Compiler.Passes.GraphVerifier.Verify(graph);
        Snapshot.Verify(GraphTextPrinter.Print(graph), parameters: $"{attention}_{bridge}");
    }

    /// <summary>The two graphs decoding runs: the encoder (memory, keys, the decoder's initial states) and one decoder step.</summary>
    [Theory]
    [InlineData("Encoder")]
    [InlineData("DecoderStep")]
    public void Encoder_decoder_decoding_graphs(string part)
    {
        var compilation = Compilation.Create(new SourceText("s2s.yaml", EncoderDecoderSpec("additive", "concat")));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics.Sorted()));
        var graph = compilation.Unroll(new RnnGraph.Compiler.Unrolling.UnrollOptions(3, null, Masked: true)
        {
            Part = Enum.Parse<RnnGraph.Compiler.Unrolling.EncoderDecoderPart>(part),
        });
        RnnGraph.Compiler.Passes.GraphVerifier.Verify(graph);
        Snapshot.Verify(GraphTextPrinter.Print(graph), parameters: part);
    }

    private static string EncoderDecoderSpec(string attention, string bridge) =>
        "model:\n  topology: encoder-decoder\n  inputs:\n    word: { vocab: 6 }\n  encoder:\n    - embed: { dim: 2 }\n" +
        "    - rnn: { cell: rnn_tanh, hidden: 2, bidirectional: true }\n" +
        $"  bridge: {bridge}\n  attention: {attention}\n  decoder:\n    - embed: {{ dim: 2 }}\n    - rnn: {{ cell: rnn_tanh, hidden: 4 }}\n" +
        "    - dense: { units: 5 }\n  max_output_length: 4\n";
}
