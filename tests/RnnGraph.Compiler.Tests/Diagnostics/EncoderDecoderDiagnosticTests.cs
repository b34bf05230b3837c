using static RnnGraph.Compiler.Tests.Diagnostics.DiagnosticAssert;

namespace RnnGraph.Compiler.Tests.Diagnostics;

/// <summary>Encoder-decoder specs the binder refuses (RG0236), each located at the key to change and naming the fix.</summary>
public sealed class EncoderDecoderDiagnosticTests
{
    /// <summary>A GRU encoder-decoder whose encoder rnn (line 7), bridge (line 8) and decoder rnn (line 11) a test chooses.</summary>
    private static string Spec(string encoderRnn, string bridge, string decoderRnn) => $$"""
        model:
          topology: encoder-decoder
          inputs:
            src: { vocab: 7 }
          encoder:
            - embed: { dim: 3 }
            - rnn: {{encoderRnn}}
          bridge: {{bridge}}
          decoder:
            - embed: { dim: 3 }
            - rnn: {{decoderRnn}}
            - dense: { units: auto }
          max_output_length: 10
        """;

    [Fact]
    public void The_encoder_must_end_with_an_rnn_layer() =>
        Reports("""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 7 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4 }
                - «dense»: { units: 4 }
              decoder:
                - rnn: { cell: gru, hidden: 4 }
                - dense: { units: auto }
              max_output_length: 10
            """,
            """
            spec.yaml(8,7): error RG0236: encoder-decoder: the encoder must end with an rnn layer: its outputs are what the attention reads and its final states what the bridge passes on
                8 |     - dense: { units: 4 }
                  |       ^~~~~
            """);

    [Fact]
    public void The_decoder_starts_with_an_embed_or_rnn_layer() =>
        Reports("""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 7 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4 }
              decoder:
                - «dense»: { units: 4 }
                - rnn: { cell: gru, hidden: 4 }
                - dense: { units: auto }
              max_output_length: 10
            """,
            """
            spec.yaml(9,7): error RG0236: encoder-decoder: the decoder is an optional embed layer, then one rnn layer, then dense layers (the last scores the output tokens)
                9 |     - dense: { units: 4 }
                  |       ^~~~~
            """);

    [Fact]
    public void The_decoder_has_one_rnn_layer() =>
        Reports("""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 7 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4 }
              decoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4 }
                - «rnn»: { cell: gru, hidden: 4 }
                - dense: { units: auto }
              max_output_length: 10
            """,
            """
            spec.yaml(11,7): error RG0236: encoder-decoder: after its rnn layer the decoder has only dense layers (the last scores the output tokens)
               11 |     - rnn: { cell: gru, hidden: 4 }
                  |       ^~~
            """);

    [Fact]
    public void The_decoder_ends_with_a_dense_layer() =>
        Reports("""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 7 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4 }
              decoder:
                - embed: { dim: 3 }
                - «rnn»: { cell: gru, hidden: 4 }
              max_output_length: 10
            """,
            """
            spec.yaml(10,7): error RG0236: encoder-decoder: the decoder must end with a dense layer scoring the output tokens; add '- dense: { units: auto }'
               10 |     - rnn: { cell: gru, hidden: 4 }
                  |       ^~~
            """);

    [Fact]
    public void The_decoder_cannot_be_bidirectional() =>
        Reports("""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 7 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4 }
              decoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4, bidirectional: «true» }
                - dense: { units: auto }
              max_output_length: 10
            """,
            """
            spec.yaml(10,51): error RG0236: encoder-decoder: the decoder emits one token after another, so its rnn layer cannot be bidirectional; remove 'bidirectional'
               10 |     - rnn: { cell: gru, hidden: 4, bidirectional: true }
                  |                                                   ^~~~
            """);

    [Fact]
    public void Copy_needs_a_one_direction_encoder() =>
        Reports(Spec("{ cell: gru, hidden: 4, bidirectional: true }", "«copy»", "{ cell: gru, hidden: 8 }"),
            """
            spec.yaml(8,11): error RG0236: encoder-decoder: bridge 'copy' copies a one-direction state, but the encoder is bidirectional; use 'sum', 'concat' or 'dense'
                8 |   bridge: copy
                  |           ^~~~
            """);

    [Fact]
    public void Sum_needs_a_bidirectional_encoder() =>
        Reports(Spec("{ cell: gru, hidden: 4 }", "«sum»", "{ cell: gru, hidden: 4 }"),
            """
            spec.yaml(8,11): error RG0236: encoder-decoder: bridge 'sum' combines the two directions of a bidirectional encoder; use 'copy' or 'dense' for a one-direction encoder
                8 |   bridge: sum
                  |           ^~~
            """);

    [Fact]
    public void Concat_needs_a_bidirectional_encoder() =>
        Reports(Spec("{ cell: gru, hidden: 4 }", "«concat»", "{ cell: gru, hidden: 8 }"),
            """
            spec.yaml(8,11): error RG0236: encoder-decoder: bridge 'concat' combines the two directions of a bidirectional encoder; use 'copy' or 'dense' for a one-direction encoder
                8 |   bridge: concat
                  |           ^~~~~~
            """);

    [Fact]
    public void Copy_needs_the_encoders_hidden_size() =>
        Reports(Spec("{ cell: gru, hidden: 4 }", "«copy»", "{ cell: gru, hidden: 6 }"),
            """
            spec.yaml(8,11): error RG0236: encoder-decoder: bridge 'copy' copies the encoder's states of size 4, so the decoder needs 'hidden: 4' (or use 'bridge: dense')
                8 |   bridge: copy
                  |           ^~~~
            """);

    [Fact]
    public void Sum_needs_the_size_of_one_direction() =>
        Reports(Spec("{ cell: gru, hidden: 4, bidirectional: true }", "«sum»", "{ cell: gru, hidden: 8 }"),
            """
            spec.yaml(8,11): error RG0236: encoder-decoder: bridge 'sum' adds the encoder's two directions of size 4, so the decoder needs 'hidden: 4' (or use 'bridge: dense')
                8 |   bridge: sum
                  |           ^~~
            """);

    [Fact]
    public void Concat_needs_twice_the_size_of_one_direction() =>
        Reports(Spec("{ cell: gru, hidden: 4, bidirectional: true }", "«concat»", "{ cell: gru, hidden: 4 }"),
            """
            spec.yaml(8,11): error RG0236: encoder-decoder: bridge 'concat' joins the encoder's two directions of size 4, so the decoder needs 'hidden: 8' (or use 'bridge: dense')
                8 |   bridge: concat
                  |           ^~~~~~
            """);

    [Fact]
    public void A_bridge_needs_as_many_decoder_layers_as_encoder_layers() =>
        Reports(Spec("{ cell: gru, hidden: 4, layers: 2 }", "«dense»", "{ cell: gru, hidden: 5 }"),
            """
            spec.yaml(8,11): error RG0236: encoder-decoder: bridge 'dense' sets each decoder layer from the encoder layer at the same depth, but the encoder has 2 and the decoder 1; give both the same 'layers' or use 'bridge: none'
                8 |   bridge: dense
                  |           ^~~~~
            """);

    [Fact]
    public void A_bridge_needs_cells_with_the_same_states() =>
        Reports(Spec("{ cell: gru, hidden: 4 }", "«copy»", "{ cell: lstm, hidden: 4 }"),
            """
            spec.yaml(8,11): error RG0236: encoder-decoder: bridge 'copy' passes the encoder's states (h) to the decoder, whose cell has states (h, c); use cells with the same states or 'bridge: none'
                8 |   bridge: copy
                  |           ^~~~
            """);

    [Theory]
    [InlineData("{ cell: lstm, hidden: 4, layers: 2, bidirectional: true }", "dense", "{ cell: lstm, hidden: 5, layers: 2 }")]
    [InlineData("{ cell: gru, hidden: 4 }", "none", "{ cell: lstm, hidden: 7, layers: 3 }")]
    [InlineData("{ cell: lstm, hidden: 4, bidirectional: true }", "sum", "{ cell: lstm, hidden: 4 }")]
    [InlineData("{ cell: gru, hidden: 4, layers: 2, bidirectional: true }", "concat", "{ cell: gru, hidden: 8, layers: 2 }")]
    public void Bridges_that_fit_bind(string encoderRnn, string bridge, string decoderRnn) =>
        Assert.Empty(Compile(Spec(encoderRnn, bridge, decoderRnn)));

    [Fact]
    public void Dot_attention_needs_the_decoder_state_as_wide_as_the_encoder_outputs() =>
        Reports("""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 7 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4, bidirectional: true }
              bridge: dense
              attention: «dot»
              decoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 6 }
                - dense: { units: auto }
              max_output_length: 10
            """,
            """
            spec.yaml(9,14): error RG0236: encoder-decoder: dot attention multiplies the decoder state (6) with each encoder output (8), so they need the same size; use 'general' or make the decoder's hidden 8
                9 |   attention: dot
                  |              ^~~
            """);

    /// <summary>The spec reader refuses this before binding (RG0031), at the key.</summary>
    [Fact]
    public void Dot_attention_has_no_units() =>
        Reports("""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 7 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4 }
              attention: { type: dot, «units»: 4 }
              decoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4 }
                - dense: { units: auto }
              max_output_length: 10
            """,
            """
            spec.yaml(8,27): error RG0031: 'units' applies only with 'type: additive', not 'dot'; remove 'units' or set 'type'
                8 |   attention: { type: dot, units: 4 }
                  |                           ^~~~~
            """);

    private const string ExplicitUnits = """
        model:
          topology: encoder-decoder
          inputs:
            src: { vocab: 7 }
          encoder:
            - embed: { dim: 3 }
            - rnn: { cell: gru, hidden: 4 }
          bridge: copy
          decoder:
            - embed: { dim: 3 }
            - rnn: { cell: gru, hidden: 4 }
            - dense: { units: «6» }
          max_output_length: 10
        """;

    [Fact]
    public void The_last_dense_layer_needs_one_unit_per_target_token() =>
        Reports(ExplicitUnits,
            """
            spec.yaml(12,23): error RG0236: encoder-decoder: the decoder's last dense layer scores the output tokens, so it needs one unit per target token (9), not 6; use 'units: auto'
               12 |     - dense: { units: 6 }
                  |                       ^
            """,
            targetVocabularySize: 9);

    [Fact]
    public void Explicit_units_bind_before_the_target_vocabulary_is_known_and_when_they_match_it()
    {
        string yaml = MarkedSpec.Parse(ExplicitUnits).Yaml;
        Assert.Empty(Compile(yaml));
        Assert.Empty(Compile(yaml, targetVocabularySize: 6));
    }
}
