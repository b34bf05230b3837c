using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>Unknown keys (with a suggestion when one is close) and missing required keys.</summary>
public sealed class SpecReaderKeyErrorTests
{
    [Fact]
    public void Unknown_keys_suggest_a_close_key_or_list_the_valid_ones() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: lstm, hidden: 32, batchfirst: true, foo: 1 }
            """,
            "spec.yaml(5,38): error RG0005: unknown key 'batchfirst' in rnn layer; did you mean 'batch_first'?",
            "spec.yaml(5,56): error RG0005: unknown key 'foo' in rnn layer; valid keys are cell, hidden, layers, bidirectional, merge, bias, batch_first, reset_after, peepholes, dropout, recurrent_dropout, name");

    [Fact]
    public void Unknown_top_level_section() =>
        AssertErrors("""
            modle:
              inputs: {}
            """,
            "spec.yaml(1,1): error RG0005: unknown key 'modle' in the spec; did you mean 'model'?",
            "spec.yaml(1,1): error RG0003: the spec has no 'model' section");

    [Fact]
    public void Unknown_keys_in_model_input_dense_embed_and_cell() =>
        AssertErrors("""
            model:
              input:
                x: { sise: 3 }
              layers:
                - dense: { units: 2, activaton: none }
                - embed: { dim: 2, dims: 3 }
            cells:
              mgu:
                param: {}
            """,
            "spec.yaml(2,3): error RG0005: unknown key 'input' in 'model'; did you mean 'inputs'?",
            "spec.yaml(5,26): error RG0005: unknown key 'activaton' in dense layer; did you mean 'activation'?",
            "spec.yaml(6,24): error RG0005: unknown key 'dims' in embed layer; did you mean 'dim'?",
            "spec.yaml(8,3): error RG0006: cell 'mgu' is missing required key 'state'",
            "spec.yaml(8,3): error RG0006: cell 'mgu' is missing required key 'equations'",
            "spec.yaml(8,3): error RG0006: cell 'mgu' is missing required key 'output'",
            "spec.yaml(9,5): error RG0005: unknown key 'param' in cell 'mgu'; did you mean 'params'?");

    [Fact]
    public void Unknown_input_option_is_located_at_the_key() =>
        AssertErrors("""
            model:
              inputs:
                x: { sise: 3 }
              layers:
                - dense: { units: 2 }
            """,
            "spec.yaml(3,5): error RG0008: input 'x' needs either 'size' (features per step) or 'vocab' (token ids)",
            "spec.yaml(3,10): error RG0005: unknown key 'sise' in input 'x'; did you mean 'size'?");

    [Fact]
    public void Missing_required_layer_options_are_located_at_the_layer_kind() =>
        AssertErrors("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { hidden: 3 }
                - rnn: { cell: gru }
                - dense: {}
                - embed: { name: e }
            """,
            "spec.yaml(5,7): error RG0006: rnn layer is missing required key 'cell'",
            "spec.yaml(6,7): error RG0006: rnn layer is missing required key 'hidden'",
            "spec.yaml(7,7): error RG0006: dense layer is missing required key 'units'",
            "spec.yaml(8,7): error RG0006: embed layer is missing required key 'dim'");

    [Fact]
    public void Missing_model_sections_are_located_at_the_model_key() =>
        AssertErrors("model: {}\n",
            "spec.yaml(1,1): error RG0006: 'model' is missing required key 'inputs'",
            "spec.yaml(1,1): error RG0006: 'model' is missing required key 'layers'");
}
