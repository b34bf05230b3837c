using static RnnGraph.Compiler.Tests.Diagnostics.DiagnosticAssert;

namespace RnnGraph.Compiler.Tests.Diagnostics;

/// <summary>Binder errors that had no test of their exact message (issue 7: every rejection path has one).</summary>
public sealed class BinderDiagnosticMessageTests
{
    [Fact]
    public void A_function_with_the_wrong_number_of_arguments() =>
        Reports("""
            cells:
              c:
                params: { weight_ih: [hidden, input], bias_ih: [hidden] }
                state: [h]
                equations: |
                  h = «tanh(weight_ih @ x, h[t-1])»
                output: h
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: c, hidden: 4 }
            """,
            """
            spec.yaml(6,11): error RG0210: tanh takes exactly one argument, got 2
                6 |       h = tanh(weight_ih @ x, h[t-1])
                  |           ^~~~~~~~~~~~~~~~~~~~~~~~~~~
            """);

    [Fact]
    // The span is the whole model section; the printed line shows its first line.
    public void A_model_with_two_inputs() =>
        Reports("""
            «model:
              inputs:
                x: { size: 3 }
                y: { size: 2 }
              layers:
                - rnn: { cell: gru, hidden: 4 }»
            """,
            """
            spec.yaml(1,1): error RG0217: a model has exactly one input for now, but 2 are declared
                1 | model:
                  | ^~~~~~
            """);

    [Fact]
    public void A_vector_on_the_left_of_a_matrix_product() =>
        Reports("""
            cells:
              c:
                params: { weight_ih: [hidden, input], bias_ih: [hidden] }
                state: [h]
                equations: |
                  h = tanh(«bias_ih» @ x)
                output: h
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: c, hidden: 4 }
            """,
            """
            spec.yaml(6,16): error RG0218: the left side of '@' must be a 2-D parameter, but bias_ih is [4]
                6 |       h = tanh(bias_ih @ x)
                  |                ^~~~~~~
            """);

    [Fact]
    public void Rnn_layers_that_disagree_on_batch_first() =>
        Reports("""
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4, batch_first: true }
                - rnn: { cell: gru, hidden: 4, batch_first: «false» }
            """,
            """
            spec.yaml(6,49): error RG0220: all rnn layers of a model must agree on batch_first
                6 |     - rnn: { cell: gru, hidden: 4, batch_first: false }
                  |                                                 ^~~~~
            """);
}
