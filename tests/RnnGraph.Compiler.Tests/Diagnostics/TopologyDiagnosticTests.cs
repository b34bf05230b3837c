using static RnnGraph.Compiler.Tests.Diagnostics.DiagnosticAssert;

namespace RnnGraph.Compiler.Tests.Diagnostics;

/// <summary>Misused <c>topology</c>, <c>condition</c> and <c>pooling</c> for the one-to-one and one-to-many topologies, located.</summary>
public sealed class TopologyDiagnosticTests
{
    [Fact]
    public void Condition_needs_one_to_many() =>
        Reports("""
            model:
              condition: «state»
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4 }
            """,
            """
            spec.yaml(2,14): error RG0231: 'condition' applies to 'topology: one-to-many'; add it or remove 'condition'
                2 |   condition: state
                  |              ^~~~~
            """);

    [Fact]
    public void One_to_many_needs_a_float_input() =>
        Reports("""
            model:
              topology: one-to-many
              inputs:
                x: { vocab: «auto» }
              layers:
                - embed: { dim: 3 }
                - dense: { units: auto }
            """,
            """
            spec.yaml(4,17): error RG0232: a one-to-many model takes a fixed-size vector and feeds back its own output tokens, so its input must be float features: declare 'x: { size: N }'
                4 |     x: { vocab: auto }
                  |                 ^~~~
            """);

    [Fact]
    public void One_to_many_needs_a_dense_last_layer() =>
        Reports("""
            model:
              topology: one-to-many
              inputs:
                x: { size: 3 }
              layers:
                - dense: { units: 5 }
                - «rnn»: { cell: gru, hidden: 4, name: dec }
            """,
            """
            spec.yaml(7,7): error RG0233: a one-to-many model feeds its output tokens back, so its last layer must be a dense layer whose units (usually auto) are the number of tokens, but the last layer 'dec' is not dense
                7 |     - rnn: { cell: gru, hidden: 4, name: dec }
                  |       ^~~
            """);

    [Fact]
    public void State_condition_needs_a_recurrent_layer() =>
        Reports("""
            model:
              topology: one-to-many
              condition: «state»
              inputs:
                x: { size: 3 }
              layers:
                - dense: { units: 5 }
            """,
            """
            spec.yaml(3,14): error RG0234: 'condition: state' sets the initial state of the first rnn layer, but this model has no rnn layer; use 'condition: first-step'
                3 |   condition: state
                  |              ^~~~~
            """);

    [Fact]
    public void Pooling_is_not_for_one_to_one() =>
        Reports("""
            model:
              topology: one-to-one
              pooling: «mean»
              inputs:
                x: { size: 3 }
              layers:
                - dense: { units: 5 }
            """,
            """
            spec.yaml(3,12): error RG0229: 'pooling' applies to 'topology: many-to-one'; add it or remove 'pooling'
                3 |   pooling: mean
                  |            ^~~~
            """);

    [Fact]
    public void An_embedding_in_one_to_many_comes_first() =>
        Reports("""
            model:
              topology: one-to-many
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4 }
                - «embed»: { dim: 3 }
                - dense: { units: 5 }
            """,
            """
            spec.yaml(7,7): error RG0208: layer 'embed' cannot follow layer 'rnn': an embedding takes token ids; in a one-to-many model only the first layer can be one, embedding the fed-back output tokens
                7 |     - embed: { dim: 3 }
                  |       ^~~~~
            """);

    [Fact]
    public void Unknown_condition_suggests_one() =>
        Reports("""
            model:
              topology: one-to-many
              condition: «statee»
              inputs:
                x: { size: 3 }
              layers:
                - dense: { units: 5 }
            """,
            """
            spec.yaml(3,14): error RG0022: unknown condition 'statee'; did you mean 'state'?
                3 |   condition: statee
                  |              ^~~~~~
            """);
}
