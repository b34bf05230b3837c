using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary><c>--set KEY=VALUE</c>: edits of the spec text, and the errors for assignments the spec cannot take.</summary>
public sealed class SpecOverridesTests
{
    private const string Spec = """
        model:
          inputs:
            x: { vocab: auto, one_hot: true }
          layers:
            - rnn: { cell: gru, hidden: 16 }
            - dense: { units: auto, activation: softmax }
        training:
          epochs: 150
          learning_rate: 0.02   # step size
        generation:
          temperature: 0.5

        """;

    private static (string Text, string[] Errors) Apply(string yaml, params string[] assignments)
    {
        var bag = new DiagnosticBag();
        var source = new SourceText("spec.yaml", yaml.ReplaceLineEndings("\n"));
        var result = SpecOverrides.Apply(source, assignments, bag);
        Assert.Equal("spec.yaml", result.Path);
        return (result.Text, bag.Sorted().Select(d => d.ToString()).ToArray());
    }

    private static string Edited(string yaml, params string[] assignments)
    {
        var (text, errors) = Apply(yaml, assignments);
        Assert.Empty(errors);
        return text;
    }

    private static string Error(params string[] assignments)
    {
        var (text, errors) = Apply(Spec, assignments);
        Assert.Equal(Spec.ReplaceLineEndings("\n"), text);
        return Assert.Single(errors);
    }

    [Fact]
    public void Replaces_a_value_in_a_block_mapping_keeping_its_comment() =>
        Assert.Equal(Spec.Replace("epochs: 150", "epochs: 2").Replace("0.02   #", "0.1   #"),
            Edited(Spec, "training.epochs=2", "training.learning_rate=0.1"));

    [Fact]
    public void Replaces_a_value_in_a_flow_mapping() =>
        Assert.Equal(Spec.Replace("one_hot: true }", "one_hot: false }"), Edited(Spec, "model.inputs.x.one_hot=false"));

    [Fact]
    public void Replaces_a_value_in_a_list_item_by_0_based_index() =>
        Assert.Equal(Spec.Replace("hidden: 16", "hidden: 32"), Edited(Spec, "model.layers.0.rnn.hidden=32"));

    [Fact]
    public void Inserts_a_missing_key_into_a_flow_mapping() =>
        Assert.Equal(Spec.Replace("hidden: 16 }", "hidden: 16, dropout: 0.2 }"), Edited(Spec, "model.layers.0.rnn.dropout=0.2"));

    [Fact]
    public void Inserts_a_missing_key_into_a_block_mapping_after_its_last_line() =>
        Assert.Equal(Spec.Replace("# step size\n", "# step size\n  seed: 7\n"), Edited(Spec, "training.seed=7"));

    [Fact]
    public void Inserts_into_a_mapping_whose_last_value_is_nested() =>
        Assert.Equal(Spec.Replace("activation: softmax }\n", "activation: softmax }\n  outputs: y\n"), Edited(Spec, "model.outputs=y"));

    [Fact]
    public void Applies_several_overrides_in_order_the_later_winning() =>
        Assert.Equal(Spec.Replace("epochs: 150", "epochs: 3").Replace("temperature: 0.5", "temperature: 0.8"),
            Edited(Spec, "training.epochs=2", "generation.temperature=0.8", "training.epochs=3"));

    [Fact]
    public void Quotes_a_value_only_when_plain_would_change_it() =>
        Assert.Equal(Spec.Replace("temperature: 0.5", "temperature: 0.5\n  prefix: \"a: b # c\""), Edited(Spec, "generation.prefix=a: b # c"));

    [Fact]
    public void An_unrelated_later_error_keeps_its_position()
    {
        string yaml = Spec.Replace("temperature: 0.5", "temperature: -1");
        var bag = new DiagnosticBag();
        var source = SpecOverrides.Apply(new SourceText("spec.yaml", yaml.ReplaceLineEndings("\n")), ["model.layers.1.dense.units=1000", "training.epochs=7"], bag);
        Assert.Empty(bag);
        SpecReader.Read(source, bag);
        var before = new DiagnosticBag();
        SpecReader.Read(new SourceText("spec.yaml", yaml.ReplaceLineEndings("\n")), before);
        Assert.Equal("spec.yaml(11,16): error RG0023: temperature must be a positive number, got -1",
            Assert.Single(before).ToString());
        Assert.Equal(before.Select(d => d.ToString()), bag.Select(d => d.ToString()));
    }

    [Fact]
    public void A_value_is_validated_by_the_reader_at_the_replaced_text()
    {
        var bag = new DiagnosticBag();
        var source = SpecOverrides.Apply(new SourceText("spec.yaml", Spec.ReplaceLineEndings("\n")), ["training.epochs=abc"], bag);
        Assert.Empty(bag);
        SpecReader.Read(source, bag);
        Assert.StartsWith("spec.yaml(8,11): error RG0004:", Assert.Single(bag).ToString());
    }

    [Fact]
    public void An_assignment_without_equals_is_malformed() =>
        Assert.Equal("error RG0027: --set 'training.epochs' is not KEY=VALUE; it has no '='", Error("training.epochs"));

    [Fact]
    public void An_assignment_with_an_empty_key_is_malformed() =>
        Assert.Equal("error RG0027: --set '=3' is not KEY=VALUE; the key before '=' is empty", Error("=3"));

    [Fact]
    public void A_key_with_an_empty_part_is_malformed() =>
        Assert.Equal("error RG0027: --set 'training..epochs=3' is not KEY=VALUE; the key 'training..epochs' has an empty part", Error("training..epochs=3"));

    [Fact]
    public void A_list_index_past_the_end_names_the_indices() =>
        Assert.Equal("error RG0028: --set model.layers.7: the spec has 2 layers (indices 0-1)", Error("model.layers.7.rnn.hidden=32"));

    [Fact]
    public void A_list_needs_a_numeric_index() =>
        Assert.Equal("error RG0028: --set model.layers.first: 'model.layers' is a list; use an index 0-1", Error("model.layers.first.rnn.hidden=32"));

    [Fact]
    public void A_missing_section_is_reported_with_a_suggestion() =>
        Assert.Equal("error RG0028: --set trainig: the spec has no 'trainig'; did you mean 'training'?", Error("trainig.epochs=2"));

    [Fact]
    public void A_missing_nested_section_is_reported() =>
        Assert.Equal("error RG0028: --set model.layers.0.dense: the spec has no 'model.layers.0.dense'", Error("model.layers.0.dense.units=3"));

    [Fact]
    public void A_path_through_a_value_is_reported() =>
        Assert.Equal("error RG0029: --set training.epochs.max: 'training.epochs' is a single value, not a section or list", Error("training.epochs.max=3"));

    [Fact]
    public void A_section_cannot_be_replaced_by_a_value() =>
        Assert.Equal("error RG0030: --set model.layers: 'model.layers' is a list, not a single value", Error("model.layers=3"));

    [Fact]
    public void Inserts_after_a_literal_block_and_at_a_file_end_without_line_break()
    {
        const string yaml = "cells:\n  c:\n    equations: |\n      h = tanh(x)\n\n    output: h\n  d:\n    equations: |\n      h = x\n\ntraining:\n  epochs: 1";
        Assert.Equal(yaml.Replace("      h = x\n", "      h = x\n    output: h\n") + "\n  seed: 2",
            Edited(yaml, "cells.d.output=h", "training.seed=2"));
    }

    [Fact]
    public void Keeps_crlf_line_breaks_and_fills_an_empty_value()
    {
        var bag = new DiagnosticBag();
        var source = SpecOverrides.Apply(new SourceText("spec.yaml", "training:\r\n  epochs:\r\n  seed: 1\r\n"), ["training.epochs=4", "training.batch_size=2"], bag);
        Assert.Empty(bag);
        Assert.Equal("training:\r\n  epochs: 4\r\n  seed: 1\r\n  batch_size: 2\r\n", source.Text);
    }

    [Fact]
    public void Invalid_yaml_is_left_for_the_reader()
    {
        var (text, errors) = Apply("model: [\n", "model.x=1");
        Assert.Equal("model: [\n", text);
        Assert.Empty(errors);
    }
}
