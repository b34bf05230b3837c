using static RnnGraph.Compiler.Tests.Diagnostics.DiagnosticAssert;

namespace RnnGraph.Compiler.Tests.Diagnostics;

/// <summary>Mistakes in the YAML and the model section, as <c>rnngraph check</c> prints them.</summary>
public sealed class SpecDiagnosticTests
{
    // The YAML parser reports an empty span at the offending character: marked «» before it.
    [Fact]
    public void Malformed_yaml_points_at_the_unclosed_brace() =>
        Reports("""
            model:
              inputs:
                x: «»{ size: 3
              layers:
                - rnn: { cell: lstm, hidden: 4 }
            """,
            """
            spec.yaml(3,8): error RG0001: invalid YAML: this '{' is not closed by a matching '}'
                3 |     x: { size: 3
                  |        ^
            """);

    [Fact]
    public void Unknown_key_suggests_the_closest_valid_key() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: lstm, «hiden»: 4 }
            """,
            """
            spec.yaml(5,26): error RG0005: unknown key 'hiden' in rnn layer; did you mean 'hidden'?
                5 |     - rnn: { cell: lstm, hiden: 4 }
                  |                          ^~~~~
            """);

    [Fact]
    public void Unknown_cell_suggests_a_known_one() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: «lstn», hidden: 4 }
            """,
            """
            spec.yaml(5,20): error RG0201: unknown cell 'lstn'; did you mean 'lstm'?
                5 |     - rnn: { cell: lstn, hidden: 4 }
                  |                    ^~~~
            """);

    [Fact]
    public void Unknown_cell_without_a_close_name_lists_the_known_cells() =>
        Reports("""
            cells:
              mgu:
                params: { weight_ih: [hidden, input], weight_hh: [hidden, hidden] }
                state: [h]
                equations: h = tanh(weight_ih @ x + weight_hh @ h[t-1])
                output: h
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: «transformer», hidden: 4 }
            """,
            """
            spec.yaml(11,20): error RG0201: unknown cell 'transformer'; known cells: gru, gru_reset_before, lstm, lstm_peephole, mgu, rnn_relu, rnn_tanh
               11 |     - rnn: { cell: transformer, hidden: 4 }
                  |                    ^~~~~~~~~~~
            """);

    [Fact]
    public void Hidden_size_must_be_positive() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: «0» }
                - dense: { units: «-2» }
            """,
            """
            spec.yaml(5,33): error RG0007: hidden size must be a positive integer, got 0
                5 |     - rnn: { cell: gru, hidden: 0 }
                  |                                 ^
            spec.yaml(6,23): error RG0007: number of units must be a positive integer, got -2
                6 |     - dense: { units: -2 }
                  |                       ^~
            """);

    [Fact]
    public void Hidden_size_too_large_for_a_builtin_cell_is_reported_at_the_layer_not_in_the_library() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: «2000000000» }
            """,
            """
            spec.yaml(5,33): error RG0227: cell 'gru' cannot be built for hidden=2000000000, input=3: invalid parameter dimension: '3*hidden' is 6000000000 for hidden=2000000000, input=3; dimensions must be at most 2147483647
                5 |     - rnn: { cell: gru, hidden: 2000000000 }
                  |                                 ^~~~~~~~~~
            """);

    [Fact]
    public void Embed_cannot_follow_an_rnn_layer() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4 }
                - «embed»: { dim: 8 }
            """,
            """
            spec.yaml(6,7): error RG0208: layer 'embed' cannot follow layer 'rnn': an embedding takes token ids, so it must come right after an input declared with vocab: (e.g. 'x: { vocab: 100 }')
                6 |     - embed: { dim: 8 }
                  |       ^~~~~
            """);

    [Fact]
    public void Rnn_cannot_read_token_ids_directly() =>
        Reports("""
            model:
              inputs:
                tokens: { vocab: 50 }
              layers:
                - «rnn»: { cell: gru, hidden: 4 }
            """,
            """
            spec.yaml(5,7): error RG0208: layer 'rnn' cannot follow the input 'tokens': it needs feature vectors but gets token ids; add an embed layer first, or declare the input with size:
                5 |     - rnn: { cell: gru, hidden: 4 }
                  |       ^~~
            """);

    [Fact]
    public void Dense_cannot_read_token_ids_directly() =>
        Reports("""
            model:
              inputs:
                x: { vocab: 50 }
              layers:
                - «dense»: { units: 4, name: head }
            """,
            """
            spec.yaml(5,7): error RG0208: layer 'head' cannot follow the input 'x': it needs feature vectors but gets token ids; add an embed layer first, or declare the input with size:
                5 |     - dense: { units: 4, name: head }
                  |       ^~~~~
            """);

    [Fact]
    public void Reset_after_applies_only_to_gru() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: lstm, hidden: 4, «reset_after»: false }
            """,
            """
            spec.yaml(5,37): error RG0016: 'reset_after' applies only to gru cells, not 'lstm'
                5 |     - rnn: { cell: lstm, hidden: 4, reset_after: false }
                  |                                     ^~~~~~~~~~~
            """);

    [Fact]
    public void Peepholes_apply_only_to_lstm() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4, «peepholes»: true }
            """,
            """
            spec.yaml(5,36): error RG0016: 'peepholes' applies only to lstm cells, not 'gru'
                5 |     - rnn: { cell: gru, hidden: 4, peepholes: true }
                  |                                    ^~~~~~~~~
            """);

    [Fact]
    public void Duplicate_layer_name_points_at_the_second_name() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: lstm, hidden: 4, name: encoder }
                - rnn: { cell: gru, hidden: 4, name: «encoder» }
            """,
            """
            spec.yaml(6,42): error RG0222: two layers are named 'encoder'; give one a different name with 'name:'
                6 |     - rnn: { cell: gru, hidden: 4, name: encoder }
                  |                                          ^~~~~~~
            """);

    [Fact]
    public void Explicit_name_clashing_with_a_default_name_is_a_duplicate() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: lstm, hidden: 4 }
                - dense: { units: 2, name: «rnn» }
            """,
            """
            spec.yaml(6,32): error RG0222: two layers are named 'rnn'; give one a different name with 'name:'
                6 |     - dense: { units: 2, name: rnn }
                  |                                ^~~
            """);

    [Fact]
    public void Duplicate_parameter_points_at_the_second_declaration() =>
        Reports("""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                  «weight_ih»: [hidden, hidden]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ x)
                output: h
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: mycell, hidden: 4 }
            """,
            """
            spec.yaml(5,7): error RG0011: duplicate parameter 'weight_ih' in cell 'mycell' (first declared on line 4)
                5 |       weight_ih: [hidden, hidden]
                  |       ^~~~~~~~~
            """);

    [Fact]
    public void A_user_cell_cannot_shadow_a_builtin_cell() =>
        Reports("""
            cells:
              «gru»:
                params: { weight_hh: [hidden, hidden] }
                state: [h]
                equations: h = tanh(weight_hh @ h[t-1])
                output: h
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4 }
            """,
            """
            spec.yaml(2,3): error RG0223: cell 'gru' is already a built-in cell; choose another name
                2 |   gru:
                  |   ^~~
            """);

    [Fact]
    public void Several_mistakes_are_reported_together_in_source_order() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: lstm, hidden: 4, «batchfirst»: true }
                - dense: { units: 2, activation: «softmx» }
            """,
            """
            spec.yaml(5,37): error RG0005: unknown key 'batchfirst' in rnn layer; did you mean 'batch_first'?
                5 |     - rnn: { cell: lstm, hidden: 4, batchfirst: true }
                  |                                     ^~~~~~~~~~
            spec.yaml(6,38): error RG0015: unknown activation 'softmx'; did you mean 'softmax'?
                6 |     - dense: { units: 2, activation: softmx }
                  |                                      ^~~~~~
            """);
}
