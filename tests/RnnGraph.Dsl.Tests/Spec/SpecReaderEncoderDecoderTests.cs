using RnnGraph.Dsl.Spec;
using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>A valid <c>topology: encoder-decoder</c> spec and its pairs data, teacher forcing and beam search keys, read into the located spec model.</summary>
public sealed class SpecReaderEncoderDecoderTests
{
    // Columns in the assertions below are counted by hand from this text.
    private const string Yaml = """
        model:
          topology: encoder-decoder
          inputs:
            word: { vocab: auto }
          encoder:
            - embed: { dim: 64 }
            - rnn: { cell: gru, hidden: 128, bidirectional: true }
          bridge: concat
          attention: { type: additive, units: 128 }
          decoder:
            - embed: { dim: 64 }
            - rnn: { cell: gru, hidden: 256 }
            - dense: { units: auto }
          max_output_length: 20
        data:
          file: ../data/cmudict/g2p/train.tsv
          format: pairs
          tokenizer: char
          target_tokenizer: word
          validation_file: ../data/cmudict/g2p/valid.tsv
          test_file: ../data/cmudict/g2p/test.tsv
        training:
          teacher_forcing: 1.0
          teacher_forcing_schedule: linear
          teacher_forcing_end: 0.5
        generation:
          beam_width: 5
          length_penalty: gnmt
          length_penalty_alpha: 0.6
        """;

    /// <summary>A minimal encoder-decoder model, 11 lines: sections appended to it start on line 12.</summary>
    internal const string Model = """
        model:
          topology: encoder-decoder
          inputs:
            x: { vocab: auto }
          encoder:
            - embed: { dim: 4 }
            - rnn: { cell: gru, hidden: 3 }
          decoder:
            - rnn: { cell: gru, hidden: 3 }
            - dense: { units: auto }
          max_output_length: 5

        """;

    private static (int, int) At(Dsl.Text.TextLocation location) => (location.Line, location.Column);

    [Fact]
    public void Reads_the_model_with_encoder_decoder_bridge_attention_and_length()
    {
        var (document, diagnostics) = Read(Yaml);

        Assert.Empty(diagnostics);
        var model = document.Model!;
        Assert.Equal("encoder-decoder", model.Topology!.Value.Value);
        Assert.Equal((2, 13), At(model.Topology.Value.Location));
        Assert.Empty(model.Layers);
        Assert.Equal("word", Assert.Single(model.Inputs).Name.Value);

        var encoder = model.Encoder!;
        Assert.Equal(2, encoder.Count);
        var encoderEmbed = Assert.IsType<EmbedLayerSpec>(encoder[0]);
        Assert.Equal(64, encoderEmbed.Dim.Value);
        Assert.Equal((6, 7), At(encoderEmbed.Location));
        Assert.Equal("embed: { dim: 64 }", TextOf(encoderEmbed.Location));
        var encoderRnn = Assert.IsType<RnnLayerSpec>(encoder[1]);
        Assert.Equal("gru", encoderRnn.Cell.Value);
        Assert.Equal((7, 20), At(encoderRnn.Cell.Location));
        Assert.Equal(128, encoderRnn.Hidden.Value);
        Assert.Equal((7, 33), At(encoderRnn.Hidden.Location));
        Assert.True(encoderRnn.Bidirectional!.Value.Value);
        Assert.Equal((7, 53), At(encoderRnn.Bidirectional.Value.Location));

        Assert.Equal("concat", model.Bridge!.Value.Value);
        Assert.Equal((8, 11), At(model.Bridge.Value.Location));

        var attention = model.Attention!;
        Assert.Equal("additive", attention.Type.Value);
        Assert.Equal((9, 22), At(attention.Type.Location));
        Assert.Equal(128, attention.Units!.Value.Value);
        Assert.Equal((9, 39), At(attention.Units.Value.Location));
        Assert.Equal("attention: { type: additive, units: 128 }", TextOf(attention.Location));

        var decoder = model.Decoder!;
        Assert.Equal(3, decoder.Count);
        Assert.IsType<EmbedLayerSpec>(decoder[0]);
        Assert.Equal(256, Assert.IsType<RnnLayerSpec>(decoder[1]).Hidden.Value);
        var dense = Assert.IsType<DenseLayerSpec>(decoder[2]);
        Assert.True(dense.UnitsFromData);
        Assert.Equal((13, 23), At(dense.Units.Location));

        Assert.Equal(20, model.MaxOutputLength!.Value.Value);
        Assert.Equal((14, 22), At(model.MaxOutputLength.Value.Location));
    }

    [Fact]
    public void Reads_pairs_data_with_target_tokenizer_and_validation_and_test_files()
    {
        var data = Read(Yaml).Document.Data!;

        Assert.Equal("pairs", data.Format!.Value.Value);
        Assert.Equal((17, 11), At(data.Format.Value.Location));
        Assert.Equal("char", data.Tokenizer!.Value.Value);
        Assert.Equal("word", data.TargetTokenizer!.Value.Value);
        Assert.Equal((19, 21), At(data.TargetTokenizer.Value.Location));
        Assert.Equal("../data/cmudict/g2p/valid.tsv", data.ValidationFile!.Value.Value);
        Assert.Equal((20, 20), At(data.ValidationFile.Value.Location));
        Assert.Equal("../data/cmudict/g2p/test.tsv", data.TestFile!.Value.Value);
        Assert.Equal((21, 14), At(data.TestFile.Value.Location));
        Assert.Null(data.Validation);
    }

    [Fact]
    public void Reads_the_teacher_forcing_schedule_and_beam_search()
    {
        var document = Read(Yaml).Document;

        var training = document.Training!;
        Assert.Equal(1.0, training.TeacherForcing!.Value.Value);
        Assert.Equal((23, 20), At(training.TeacherForcing.Value.Location));
        Assert.Equal("linear", training.TeacherForcingSchedule!.Value.Value);
        Assert.Equal((24, 29), At(training.TeacherForcingSchedule.Value.Location));
        Assert.Equal(0.5, training.TeacherForcingEnd!.Value.Value);
        Assert.Equal((25, 24), At(training.TeacherForcingEnd.Value.Location));

        var generation = document.Generation!;
        Assert.Equal(5, generation.BeamWidth!.Value.Value);
        Assert.Equal((27, 15), At(generation.BeamWidth.Value.Location));
        Assert.Equal("gnmt", generation.LengthPenalty!.Value.Value);
        Assert.Equal((28, 19), At(generation.LengthPenalty.Value.Location));
        Assert.Equal(0.6, generation.LengthPenaltyAlpha!.Value.Value);
        Assert.Equal((29, 25), At(generation.LengthPenaltyAlpha.Value.Location));
    }

    [Fact]
    public void Omitted_keys_stay_null()
    {
        var (document, diagnostics) = Read(Model + "training: { epochs: 2 }\ngeneration: {}\n");

        Assert.Empty(diagnostics);
        var model = document.Model!;
        Assert.Null(model.Bridge);
        Assert.Null(model.Attention);
        Assert.Null(document.Training!.TeacherForcing);
        Assert.Null(document.Training.TeacherForcingSchedule);
        Assert.Null(document.Training.TeacherForcingEnd);
        Assert.Null(document.Generation!.BeamWidth);
        Assert.Null(document.Generation.LengthPenalty);
        Assert.Null(document.Generation.LengthPenaltyAlpha);
    }

    [Fact]
    public void Attention_as_one_word_has_no_units()
    {
        var (document, diagnostics) = Read(Model + "  attention: dot\n");

        Assert.Empty(diagnostics);
        var attention = document.Model!.Attention!;
        Assert.Equal("dot", attention.Type.Value);
        Assert.Equal((12, 14), At(attention.Type.Location));
        Assert.Null(attention.Units);
        Assert.Equal("attention: dot", TextOf(attention.Location));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("{ type: none }")]
    public void Attention_none_reads_as_no_attention(string value)
    {
        var (document, diagnostics) = Read(Model + $"  attention: {value}\n");

        Assert.Empty(diagnostics);
        Assert.Null(document.Model!.Attention);
    }

    [Fact]
    public void Additive_attention_without_units_leaves_them_to_the_compiler()
    {
        var (document, diagnostics) = Read(Model + "  attention:\n    type: additive\n");

        Assert.Empty(diagnostics);
        Assert.Equal("additive", document.Model!.Attention!.Type.Value);
        Assert.Null(document.Model.Attention.Units);
    }

    [Fact]
    public void Ratios_take_both_ends_and_an_exponential_schedule_any_end_above_zero()
    {
        var (document, diagnostics) = Read(Model + """
            training: { teacher_forcing: 0, teacher_forcing_schedule: exponential, teacher_forcing_end: 1 }
            generation: { length_penalty: gnmt, length_penalty_alpha: 0 }
            """);

        Assert.Empty(diagnostics);
        Assert.Equal(0, document.Training!.TeacherForcing!.Value.Value);
        Assert.Equal(1, document.Training.TeacherForcingEnd!.Value.Value);
        Assert.Equal(0, document.Generation!.LengthPenaltyAlpha!.Value.Value);
    }

    [Fact]
    public void A_linear_schedule_may_end_at_zero()
    {
        var (document, diagnostics) = Read(Model + "training: { teacher_forcing_schedule: linear, teacher_forcing_end: 0 }\n");

        Assert.Empty(diagnostics);
        Assert.Equal(0, document.Training!.TeacherForcingEnd!.Value.Value);
    }

    [Fact]
    public void Validation_and_test_files_are_read_for_any_format()
    {
        var (document, diagnostics) = Read(MinimalModel + "data: { file: a.txt, validation_file: b.txt, test_file: c.txt }\n");

        Assert.Empty(diagnostics);
        Assert.Equal("b.txt", document.Data!.ValidationFile!.Value.Value);
        Assert.Equal("c.txt", document.Data.TestFile!.Value.Value);
        Assert.Null(document.Data.Format);
    }
}
