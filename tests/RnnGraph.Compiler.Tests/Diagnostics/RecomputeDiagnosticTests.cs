using static RnnGraph.Compiler.Tests.Diagnostics.DiagnosticAssert;

namespace RnnGraph.Compiler.Tests.Diagnostics;

/// <summary><c>training.recompute_every</c> on a model whose steps cannot run in segments from the first one on, located at the value.</summary>
public sealed class RecomputeDiagnosticTests
{
    [Fact]
    public void A_bidirectional_layer_cannot_be_segmented() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: lstm, hidden: 4, bidirectional: true, name: enc }
                - dense: { units: 1 }
            training: { recompute_every: «50» }
            """,
            """
            spec.yaml(7,30): error RG0235: 'recompute_every' cannot train this model: the layer 'enc' is bidirectional (its reverse direction starts at the last step); remove 'bidirectional' or 'recompute_every'
                7 | training: { recompute_every: 50 }
                  |                              ^~
            """);

    [Fact]
    public void Pooling_over_every_step_cannot_be_segmented() =>
        Reports("""
            model:
              topology: many-to-one
              pooling: mean
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4 }
                - dense: { units: 2 }
            training:
              recompute_every: «8»
            """,
            """
            spec.yaml(10,20): error RG0235: 'recompute_every' cannot train this model: 'pooling: mean' reads every step at once; use 'pooling: last' or remove 'recompute_every'
               10 |   recompute_every: 8
                  |                    ^
            """);

    [Fact]
    public void One_to_many_cannot_be_segmented() =>
        Reports("""
            model:
              topology: one-to-many
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4 }
                - dense: { units: 5 }
            training: { recompute_every: «8» }
            """,
            """
            spec.yaml(8,30): error RG0235: 'recompute_every' cannot train this model: a one-to-many model's condition enters at the first step; remove 'recompute_every'
                8 | training: { recompute_every: 8 }
                  |                              ^
            """);
}
