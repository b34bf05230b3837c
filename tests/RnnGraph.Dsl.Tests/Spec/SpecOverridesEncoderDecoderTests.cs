using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary><c>--set</c> on the encoder-decoder keys: the edited text, then what the reader makes of it.</summary>
public sealed class SpecOverridesEncoderDecoderTests
{
    private const string Spec = """
        model:
          topology: encoder-decoder
          inputs:
            x: { vocab: auto }
          encoder:
            - embed: { dim: 4 }
            - rnn: { cell: gru, hidden: 3, bidirectional: true }
          attention: additive
          decoder:
            - rnn: { cell: gru, hidden: 6 }
            - dense: { units: auto }
          max_output_length: 5
        training:
          teacher_forcing: 1.0
        generation:
          beam_width: 1

        """;

    private static (string Text, SpecDocument Document, string[] Errors) Apply(params string[] assignments)
    {
        var bag = new DiagnosticBag();
        var source = SpecOverrides.Apply(new SourceText("spec.yaml", Spec.ReplaceLineEndings("\n")), assignments, bag);
        var document = SpecReader.Read(source, bag);
        return (source.Text, document, bag.Sorted().Select(d => d.ToString()).ToArray());
    }

    [Fact]
    public void Replaces_attention_bridge_length_and_a_decoder_option()
    {
        var (text, document, errors) = Apply("model.attention=dot", "model.max_output_length=9", "model.decoder.0.rnn.hidden=12");

        Assert.Empty(errors);
        Assert.Equal(Spec.ReplaceLineEndings("\n").Replace("attention: additive", "attention: dot")
            .Replace("max_output_length: 5", "max_output_length: 9").Replace("hidden: 6", "hidden: 12"), text);
        var model = document.Model!;
        Assert.Equal("dot", model.Attention!.Type.Value);
        Assert.Equal(9, model.MaxOutputLength!.Value.Value);
        Assert.Equal(12, Assert.IsType<RnnLayerSpec>(model.Decoder![0]).Hidden.Value);
    }

    [Fact]
    public void Inserts_missing_encoder_decoder_keys_into_their_sections()
    {
        var (text, document, errors) = Apply(
            "model.bridge=sum", "training.teacher_forcing_schedule=exponential", "training.teacher_forcing_end=0.2", "generation.length_penalty=average");

        Assert.Empty(errors);
        Assert.Contains("max_output_length: 5\n  bridge: sum\n", text);
        Assert.Equal("sum", document.Model!.Bridge!.Value.Value);
        Assert.Equal("exponential", document.Training!.TeacherForcingSchedule!.Value.Value);
        Assert.Equal(0.2, document.Training.TeacherForcingEnd!.Value.Value);
        Assert.Equal("average", document.Generation!.LengthPenalty!.Value.Value);
    }

    [Fact]
    public void An_overridden_value_is_checked_by_the_reader_at_the_edited_text()
    {
        var (_, _, errors) = Apply("generation.beam_width=0", "model.attention=luong");

        Assert.Equal([
            "spec.yaml(8,14): error RG0022: unknown attention type 'luong'; expected additive, dot, general or none",
            "spec.yaml(16,15): error RG0007: beam width must be a positive integer, got 0",
        ], errors);
    }

    [Fact]
    public void Attention_given_as_one_word_has_no_units_to_set()
    {
        var (_, _, errors) = Apply("model.attention.units=64");

        Assert.Equal("error RG0029: --set model.attention.units: 'model.attention' is a single value, not a section or list", Assert.Single(errors));
    }

    [Fact]
    public void Changing_the_topology_refuses_the_encoder_decoder_keys_of_every_section()
    {
        var (_, _, errors) = Apply("model.topology=many-to-many");

        Assert.Equal([
            "spec.yaml(5,3): error RG0031: 'encoder' applies only with 'topology: encoder-decoder', not 'many-to-many'; remove 'encoder' or set 'topology'",
            "spec.yaml(8,3): error RG0031: 'attention' applies only with 'topology: encoder-decoder', not 'many-to-many'; remove 'attention' or set 'topology'",
            "spec.yaml(9,3): error RG0031: 'decoder' applies only with 'topology: encoder-decoder', not 'many-to-many'; remove 'decoder' or set 'topology'",
            "spec.yaml(12,3): error RG0031: 'max_output_length' applies only with 'topology: encoder-decoder', not 'many-to-many'; remove 'max_output_length' or set 'topology'",
            "spec.yaml(14,3): error RG0031: 'teacher_forcing' applies only with 'topology: encoder-decoder', not 'many-to-many'; remove 'teacher_forcing' or set 'topology'",
            "spec.yaml(16,3): error RG0031: 'beam_width' applies only with 'topology: encoder-decoder', not 'many-to-many'; remove 'beam_width' or set 'topology'",
        ], errors);
    }
}
