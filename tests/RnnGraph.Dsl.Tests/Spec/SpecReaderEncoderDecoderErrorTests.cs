using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>
/// Mistakes with the encoder-decoder keys: required and refused keys by topology, attention, pairs data,
/// the teacher forcing schedule and beam search. Positions are counted by hand from the YAML.
/// </summary>
public sealed class SpecReaderEncoderDecoderErrorTests
{
    private const string Model = SpecReaderEncoderDecoderTests.Model;

    [Fact]
    public void Encoder_decoder_needs_encoder_decoder_and_max_output_length_at_its_topology() =>
        AssertErrors("""
            model:
              topology: encoder-decoder
              inputs:
                x: { size: 2 }
            """,
            "spec.yaml(2,13): error RG0032: 'topology: encoder-decoder' needs 'encoder' (the layers that read the input, listed like 'layers'); add it",
            "spec.yaml(2,13): error RG0032: 'topology: encoder-decoder' needs 'decoder' (the layers that generate the output, listed like 'layers'); add it",
            "spec.yaml(2,13): error RG0032: 'topology: encoder-decoder' needs 'max_output_length' (the most decoder steps of an output, <eos> included, a positive integer); add it");

    [Fact]
    public void Encoder_decoder_refuses_layers_and_then_asks_for_no_encoder_or_decoder() =>
        AssertErrors("""
            model:
              topology: encoder-decoder
              inputs:
                x: { size: 2 }
              layers:
                - rnn: { cell: gru, hidden: 3 }
              max_output_length: 5
            """,
            "spec.yaml(5,3): error RG0033: 'topology: encoder-decoder' has no 'layers'; list the layers under 'encoder' and 'decoder' instead");

    [Fact]
    public void A_misspelt_encoder_gets_a_suggestion_and_is_not_also_missing() =>
        AssertErrors(Model.Replace("  encoder:", "  encodr:"),
            "spec.yaml(5,3): error RG0005: unknown key 'encodr' in 'model'; did you mean 'encoder'?");

    [Fact]
    public void Encoder_and_decoder_must_not_be_empty_and_are_read_as_layers() =>
        AssertErrors("""
            model:
              topology: encoder-decoder
              inputs:
                x: { size: 2 }
              encoder: []
              decoder:
                - rnn: { cell: gru }
                - lstm: { hidden: 3 }
              max_output_length: 0
            """,
            "spec.yaml(5,3): error RG0018: 'encoder' must not be empty",
            "spec.yaml(7,7): error RG0006: rnn layer is missing required key 'hidden'",
            "spec.yaml(8,7): error RG0014: unknown layer kind 'lstm'; a cell is used as '- rnn: { cell: lstm, hidden: ... }'",
            "spec.yaml(9,22): error RG0007: maximum output length must be a positive integer, got 0");

    [Fact]
    public void Encoder_decoder_keys_under_another_topology_are_refused_at_their_key_values_unread() =>
        AssertErrors("""
            model:
              topology: many-to-one
              inputs:
                x: { size: 2 }
              layers:
                - rnn: { cell: gru, hidden: 3 }
              bridge: copi
              attention: { type: dot, units: 0 }
              max_output_length: 3
            """,
            "spec.yaml(7,3): error RG0031: 'bridge' applies only with 'topology: encoder-decoder', not 'many-to-one'; remove 'bridge' or set 'topology'",
            "spec.yaml(8,3): error RG0031: 'attention' applies only with 'topology: encoder-decoder', not 'many-to-one'; remove 'attention' or set 'topology'",
            "spec.yaml(9,3): error RG0031: 'max_output_length' applies only with 'topology: encoder-decoder', not 'many-to-one'; remove 'max_output_length' or set 'topology'");

    [Fact]
    public void Encoder_and_decoder_without_a_topology_name_the_default_and_need_no_layers() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: 2 }
              encoder:
                - rnn: { cell: gru, hidden: 3 }
              decoder:
                - rnn: { cell: gru, hidden: 3 }
            """,
            "spec.yaml(4,3): error RG0031: 'encoder' applies only with 'topology: encoder-decoder', not many-to-many (the default); remove 'encoder' or set 'topology'",
            "spec.yaml(6,3): error RG0031: 'decoder' applies only with 'topology: encoder-decoder', not many-to-many (the default); remove 'decoder' or set 'topology'");

    [Fact]
    public void Other_topologies_still_require_layers() =>
        AssertErrors("""
            model:
              topology: one-to-many
              inputs:
                x: { size: 2 }
            """,
            "spec.yaml(1,1): error RG0006: 'model' is missing required key 'layers'");

    [Fact]
    public void A_misspelt_layers_key_is_not_also_missing() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: 2 }
              layer:
                - rnn: { cell: gru, hidden: 3 }
            """,
            "spec.yaml(4,3): error RG0005: unknown key 'layer' in 'model'; did you mean 'layers'?");

    [Fact]
    public void With_an_unknown_topology_the_encoder_is_read_and_nothing_is_refused_or_required() =>
        AssertErrors("""
            model:
              topology: encoder-decodr
              inputs:
                x: { size: 2 }
              encoder:
                - rnn: { cell: gru, hidden: 0 }
              bridge: copy
            training: { teacher_forcing: 0.5 }
            """,
            "spec.yaml(2,13): error RG0022: unknown topology 'encoder-decodr'; did you mean 'encoder-decoder'?",
            "spec.yaml(6,33): error RG0007: hidden size must be a positive integer, got 0");

    [Theory]
    [InlineData("{ type: dot, units: 8 }", "spec.yaml(12,27): error RG0031: 'units' applies only with 'type: additive', not 'dot'; remove 'units' or set 'type'")]
    [InlineData("{ type: none, units: 8 }", "spec.yaml(12,28): error RG0031: 'units' applies only with 'type: additive', not 'none'; remove 'units' or set 'type'")]
    [InlineData("luong", "spec.yaml(12,14): error RG0022: unknown attention type 'luong'; expected additive, dot, general or none")]
    [InlineData("{ type: additve }", "spec.yaml(12,22): error RG0022: unknown attention type 'additve'; did you mean 'additive'?")]
    [InlineData("[additive]", "spec.yaml(12,14): error RG0004: expected a word (additive, dot, general or none) or a mapping such as { type: additive, units: 128 } for 'attention', got a sequence")]
    [InlineData("", "spec.yaml(12,3): error RG0004: expected a word (additive, dot, general or none) or a mapping such as { type: additive, units: 128 } for 'attention', got nothing")]
    [InlineData("{ units: 8 }", "spec.yaml(12,3): error RG0006: 'attention' is missing required key 'type'")]
    [InlineData("{ type: additive, units: 0 }", "spec.yaml(12,39): error RG0007: number of attention units must be a positive integer, got 0")]
    [InlineData("{ type: additive, unit: 8 }", "spec.yaml(12,32): error RG0005: unknown key 'unit' in 'attention'; did you mean 'units'?")]
    public void Attention_mistakes(string value, string expected) =>
        AssertErrors(Model + $"  attention: {value}\n", expected);

    [Theory]
    [InlineData("bridge: copi", "spec.yaml(12,11): error RG0022: unknown bridge 'copi'; did you mean 'copy'?")]
    [InlineData("bridge: mean", "spec.yaml(12,11): error RG0022: unknown bridge 'mean'; expected none, copy, sum, concat or dense")]
    public void Unknown_bridges(string line, string expected) =>
        AssertErrors(Model + $"  {line}\n", expected);

    [Theory]
    [InlineData("{ file: a, validation: 0.1, validation_file: b }", "spec.yaml(6,35): error RG0021: 'data' has both 'validation' and 'validation_file'; keep one")]
    [InlineData("{ file: a, validation_file: b, validation: 0.1 }", "spec.yaml(6,38): error RG0021: 'data' has both 'validation' and 'validation_file'; keep one")]
    [InlineData("{ file: a, target_tokenizer: char }", "spec.yaml(6,18): error RG0031: 'target_tokenizer' applies only with 'format: pairs', not lines (the default); remove 'target_tokenizer' or set 'format'")]
    [InlineData("{ file: a, format: labelled, target_tokenizer: char }", "spec.yaml(6,36): error RG0031: 'target_tokenizer' applies only with 'format: pairs', not 'labelled'; remove 'target_tokenizer' or set 'format'")]
    [InlineData("{ file: a, format: pair, target_tokenizer: char }", "spec.yaml(6,26): error RG0022: unknown format 'pair'; did you mean 'pairs'?")]
    [InlineData("{ file: a, format: pairs, target_tokenizer: bpe }", "spec.yaml(6,51): error RG0022: unknown target tokenizer 'bpe'; expected char or word")]
    [InlineData("{ file: a, validation_file: '', test_file: }", "spec.yaml(6,35): error RG0018: 'validation_file' must not be empty", "spec.yaml(6,39): error RG0004: expected a string for 'test_file', got nothing")]
    public void Data_mistakes(string data, params string[] expected) =>
        AssertErrors(MinimalModel + $"data: {data}\n", expected);

    [Theory]
    [InlineData("{ teacher_forcing: 1.5 }", "spec.yaml(12,30): error RG0034: teacher forcing ratio must be at least 0 and at most 1, got 1.5")]
    [InlineData("{ teacher_forcing: -0.1 }", "spec.yaml(12,30): error RG0034: teacher forcing ratio must be at least 0 and at most 1, got -0.1")]
    [InlineData("{ teacher_forcing: all }", "spec.yaml(12,30): error RG0004: expected a number for 'teacher_forcing', got 'all'")]
    [InlineData("{ teacher_forcing_end: 0.5 }", "spec.yaml(12,13): error RG0031: 'teacher_forcing_end' applies only with 'teacher_forcing_schedule: linear' or 'exponential', not constant (the default); remove 'teacher_forcing_end' or set 'teacher_forcing_schedule'")]
    [InlineData("{ teacher_forcing_schedule: constant, teacher_forcing_end: 0.5 }", "spec.yaml(12,49): error RG0031: 'teacher_forcing_end' applies only with 'teacher_forcing_schedule: linear' or 'exponential', not 'constant'; remove 'teacher_forcing_end' or set 'teacher_forcing_schedule'")]
    [InlineData("{ teacher_forcing_schedule: linear }", "spec.yaml(12,39): error RG0032: 'teacher_forcing_schedule: linear' needs 'teacher_forcing_end' (the teacher forcing ratio at the last epoch, from 0 to 1); add it")]
    [InlineData("{ teacher_forcing_schedule: exponential, teacher_forcing_end: 0 }", "spec.yaml(12,73): error RG0035: 'teacher_forcing_end' must be above 0 with 'teacher_forcing_schedule: exponential', which never reaches 0; use 'linear' to end at 0")]
    [InlineData("{ teacher_forcing_schedule: linear, teacher_forcing_end: 2 }", "spec.yaml(12,68): error RG0034: final teacher forcing ratio must be at least 0 and at most 1, got 2")]
    [InlineData("{ teacher_forcing_schedule: cosine, teacher_forcing_end: 0.5 }", "spec.yaml(12,39): error RG0022: unknown teacher forcing schedule 'cosine'; expected constant, linear or exponential")]
    [InlineData("{ teacher_forcing_schedule: linear, teacher_forcing_ed: 0.5 }", "spec.yaml(12,47): error RG0005: unknown key 'teacher_forcing_ed' in 'training'; did you mean 'teacher_forcing_end'?")]
    public void Teacher_forcing_mistakes(string training, string expected) =>
        AssertErrors(Model + $"training: {training}\n", expected);

    [Theory]
    [InlineData("{ beam_width: 0 }", "spec.yaml(12,27): error RG0007: beam width must be a positive integer, got 0")]
    [InlineData("{ length_penalty: gnm }", "spec.yaml(12,31): error RG0022: unknown length penalty 'gnm'; did you mean 'gnmt'?")]
    [InlineData("{ length_penalty: gnmt, length_penalty_alpha: -1 }", "spec.yaml(12,59): error RG0004: expected a number at least 0 for 'length_penalty_alpha', got '-1'")]
    [InlineData("{ length_penalty_alpha: 0.6 }", "spec.yaml(12,15): error RG0031: 'length_penalty_alpha' applies only with 'length_penalty: gnmt', not none (the default); remove 'length_penalty_alpha' or set 'length_penalty'")]
    [InlineData("{ length_penalty: average, length_penalty_alpha: 0.6 }", "spec.yaml(12,40): error RG0031: 'length_penalty_alpha' applies only with 'length_penalty: gnmt', not 'average'; remove 'length_penalty_alpha' or set 'length_penalty'")]
    public void Beam_search_mistakes(string generation, string expected) =>
        AssertErrors(Model + $"generation: {generation}\n", expected);

    [Fact]
    public void Training_and_generation_keys_of_encoder_decoder_are_refused_under_the_default_topology() =>
        AssertErrors(MinimalModel + """
            training: { teacher_forcing: 0.5, teacher_forcing_schedule: linear, teacher_forcing_end: 0 }
            generation: { beam_width: 4, length_penalty: gnmt, length_penalty_alpha: -1 }
            """,
            "spec.yaml(6,13): error RG0031: 'teacher_forcing' applies only with 'topology: encoder-decoder', not many-to-many (the default); remove 'teacher_forcing' or set 'topology'",
            "spec.yaml(6,35): error RG0031: 'teacher_forcing_schedule' applies only with 'topology: encoder-decoder', not many-to-many (the default); remove 'teacher_forcing_schedule' or set 'topology'",
            "spec.yaml(6,69): error RG0031: 'teacher_forcing_end' applies only with 'topology: encoder-decoder', not many-to-many (the default); remove 'teacher_forcing_end' or set 'topology'",
            "spec.yaml(7,15): error RG0031: 'beam_width' applies only with 'topology: encoder-decoder', not many-to-many (the default); remove 'beam_width' or set 'topology'",
            "spec.yaml(7,30): error RG0031: 'length_penalty' applies only with 'topology: encoder-decoder', not many-to-many (the default); remove 'length_penalty' or set 'topology'",
            "spec.yaml(7,52): error RG0031: 'length_penalty_alpha' applies only with 'topology: encoder-decoder', not many-to-many (the default); remove 'length_penalty_alpha' or set 'topology'");

    [Fact]
    public void Training_keys_of_encoder_decoder_name_a_written_topology() =>
        AssertErrors("""
            model:
              topology: one-to-one
              inputs:
                x: { size: 2 }
              layers:
                - dense: { units: 2 }
            training:
              teacher_forcing: 0.5
            """,
            "spec.yaml(8,3): error RG0031: 'teacher_forcing' applies only with 'topology: encoder-decoder', not 'one-to-one'; remove 'teacher_forcing' or set 'topology'");

    [Fact]
    public void Without_a_model_the_topology_is_unknown_and_nothing_is_refused() =>
        AssertErrors("training: { teacher_forcing: 0.5 }\ngeneration: { beam_width: 3 }\n",
            "spec.yaml(1,1): error RG0003: the spec has no 'model' section");
}
