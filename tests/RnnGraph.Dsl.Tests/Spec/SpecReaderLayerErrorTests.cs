using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>Layer items that are not one-key mappings, unknown kinds and activations, and cell-specific options.</summary>
public sealed class SpecReaderLayerErrorTests
{
    private static string Layers(string items) => "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n" + items;

    [Fact]
    public void Layer_item_must_be_a_mapping_with_a_key() =>
        AssertErrors(Layers("    - rnn\n    - {}\n    - [rnn]\n"),
            "spec.yaml(5,7): error RG0012: a layer must be a mapping with one key, its kind (rnn, dense or embed), got 'rnn'",
            "spec.yaml(6,7): error RG0012: a layer must be a mapping with one key, its kind (rnn, dense or embed), got an empty mapping",
            "spec.yaml(7,7): error RG0012: a layer must be a mapping with one key, its kind (rnn, dense or embed), got a sequence");

    [Fact]
    public void Two_layers_in_one_item() =>
        AssertErrors(Layers("    - rnn: { cell: gru, hidden: 2 }\n      dense: { units: 2 }\n"),
            "spec.yaml(6,7): error RG0013: a layer item has one key, its kind; 'dense' must be an option inside 'rnn' or start its own '- dense:' item");

    [Fact]
    public void Options_not_indented_under_the_kind_are_reported_once() =>
        AssertErrors(Layers("    - rnn:\n      cell: gru\n      hidden: 2\n"),
            "spec.yaml(6,7): error RG0013: a layer item has one key, its kind; 'cell' must be an option inside 'rnn' or start its own '- cell:' item",
            "spec.yaml(7,7): error RG0013: a layer item has one key, its kind; 'hidden' must be an option inside 'rnn' or start its own '- hidden:' item");

    [Fact]
    public void Unknown_layer_kinds() =>
        AssertErrors(Layers("    - rnnn: {}\n    - lstm: { hidden: 3 }\n    - conv: {}\n"),
            "spec.yaml(5,7): error RG0014: unknown layer kind 'rnnn'; did you mean 'rnn'?",
            "spec.yaml(6,7): error RG0014: unknown layer kind 'lstm'; a cell is used as '- rnn: { cell: lstm, hidden: ... }'",
            "spec.yaml(7,7): error RG0014: unknown layer kind 'conv'; expected rnn, dense or embed");

    [Fact]
    public void Layer_options_must_be_a_mapping() =>
        AssertErrors(Layers("    - embed:\n    - dense: 3\n"),
            "spec.yaml(5,7): error RG0004: expected a mapping of options for 'embed', got nothing",
            "spec.yaml(6,14): error RG0004: expected a mapping of options for 'dense', got '3'");

    [Fact]
    public void Activation_must_be_none_or_softmax() =>
        AssertErrors(Layers("    - dense: { units: 2, activation: sofmax }\n    - dense: { units: 2, activation: relu }\n    - dense: { units: 2, activation: none }\n"),
            "spec.yaml(5,38): error RG0015: unknown activation 'sofmax'; did you mean 'softmax'?",
            "spec.yaml(6,38): error RG0015: unknown activation 'relu'; expected none, softmax or log_softmax");

    [Fact]
    public void Reset_after_only_for_gru_and_peepholes_only_for_lstm() =>
        AssertErrors(Layers("""
                - rnn: { cell: lstm, hidden: 2, reset_after: false, peepholes: false }
                - rnn: { cell: gru, hidden: 2, peepholes: true, reset_after: true }
                - rnn: { cell: mgu, hidden: 2, reset_after: true }

            """),
            "spec.yaml(5,37): error RG0016: 'reset_after' applies only to gru cells, not 'lstm'",
            "spec.yaml(6,36): error RG0016: 'peepholes' applies only to lstm cells, not 'gru'",
            "spec.yaml(7,36): error RG0016: 'reset_after' applies only to gru cells, not 'mgu'");

    [Fact]
    public void Bad_layers_are_dropped_and_good_ones_kept()
    {
        var (document, diagnostics) = Read(Layers("    - conv: {}\n    - dense: { units: 2 }\n"));

        Assert.Single(diagnostics);
        var layer = Assert.Single(document.Model!.Layers);
        Assert.Equal("dense", layer.Kind.Value);
    }
}
