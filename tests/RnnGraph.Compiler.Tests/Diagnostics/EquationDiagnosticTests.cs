using static RnnGraph.Compiler.Tests.Diagnostics.DiagnosticAssert;

namespace RnnGraph.Compiler.Tests.Diagnostics;

/// <summary>
/// Mistakes inside a user cell's <c>equations:</c>. Each is located at the character inside the
/// equation (CONTRACT), so the line and column are checked as well as the marked span.
/// </summary>
public sealed class EquationDiagnosticTests
{
    /// <summary>A one-layer model over input size 3 that uses the cell <c>mycell</c> with hidden size 4.</summary>
    private const string Model = """
        model:
          inputs:
            x: { size: 3 }
          layers:
            - rnn: { cell: mycell, hidden: 4 }
        """;

    [Fact]
    public void Syntax_error_points_at_the_unexpected_token() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ x + «)»
                output: h
            {Model}
            """,
            """
            spec.yaml(7,32): error RG0101: unexpected ')' in equation; expected an expression
                7 |       h = tanh(weight_ih @ x + )
                  |                                ^
            """);

    [Fact]
    public void Undefined_names_suggest_a_close_name_or_say_how_to_define_one() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                  weight_hh: [hidden, hidden]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ x + weight_hh @ «hh»[t-1] + «bias»)
                output: h
            {Model}
            """,
            """
            spec.yaml(8,44): error RG0202: 'hh' is not defined in this cell; did you mean 'h'?
                8 |       h = tanh(weight_ih @ x + weight_hh @ hh[t-1] + bias)
                  |                                            ^~
            spec.yaml(8,54): error RG0202: 'bias' is not defined in this cell; define it with an equation or declare it under params or state
                8 |       h = tanh(weight_ih @ x + weight_hh @ hh[t-1] + bias)
                  |                                                      ^~~~
            """);

    [Fact]
    public void Undefined_name_suggests_a_declared_parameter() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                  bias_ih: [hidden]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ x + «bais_ih»)
                output: h
            {Model}
            """,
            """
            spec.yaml(8,32): error RG0202: 'bais_ih' is not defined in this cell; did you mean 'bias_ih'?
                8 |       h = tanh(weight_ih @ x + bais_ih)
                  |                                ^~~~~~~
            """);

    [Fact]
    public void Matrix_product_shape_mismatch_names_both_shapes() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_hh: [hidden, hidden]
                state: [h]
                equations: |
                  h = tanh(weight_hh «@» x)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,26): error RG0203: shape mismatch in '@': weight_hh is [4, 4] but x is [3]
                7 |       h = tanh(weight_hh @ x)
                  |                          ^
            """);

    [Fact]
    public void Elementwise_shape_mismatch_names_both_operands_and_shapes() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [2*hidden, input]
                  weight_hh: [hidden, hidden]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ x «+» weight_hh @ h[t-1])
                output: h
            {Model}
            """,
            """
            spec.yaml(8,30): error RG0203: shape mismatch in '+': weight_ih @ x is [8] but weight_hh @ h[t-1] is [4]
                8 |       h = tanh(weight_ih @ x + weight_hh @ h[t-1])
                  |                              ^
            """);

    [Fact]
    public void State_with_the_wrong_size_reports_its_shape() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [2*hidden, input]
                state: [h]
                equations: |
                  h = «tanh(weight_ih @ x)»
                output: h
            {Model}
            """,
            """
            spec.yaml(7,11): error RG0213: state 'h' must have shape [4] (hidden) but its equation gives [8]
                7 |       h = tanh(weight_ih @ x)
                  |           ^~~~~~~~~~~~~~~~~~~
            """);

    [Fact]
    public void State_never_assigned_points_at_its_declaration() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                  weight_hh: [hidden, hidden]
                state: [h, «c»]
                equations: |
                  h = tanh(weight_ih @ x + weight_hh @ h[t-1])
                output: h
            {Model}
            """,
            """
            spec.yaml(6,16): error RG0204: state 'c' is never assigned; add an equation 'c = ...'
                6 |     state: [h, c]
                  |                ^
            """);

    [Fact]
    public void A_name_assigned_twice_points_at_the_second_assignment() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  a = weight_ih @ x
                  «a» = a * 2
                  h = tanh(a)
                output: h
            {Model}
            """,
            """
            spec.yaml(8,7): error RG0205: 'a' is assigned more than once; each name gets exactly one equation
                8 |       a = a * 2
                  |       ^
            """);

    [Fact]
    public void Chunk_into_more_pieces_than_names() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [2*hidden, input]
                state: [h]
                equations: |
                  a, b = «chunk(weight_ih @ x, 3)»
                  h = tanh(a) * b
                output: h
            {Model}
            """,
            """
            spec.yaml(7,14): error RG0206: chunk(..., 3) gives 3 values but 2 names are assigned
                7 |       a, b = chunk(weight_ih @ x, 3)
                  |              ^~~~~~~~~~~~~~~~~~~~~~~
            """);

    [Fact]
    public void Chunk_that_does_not_divide_evenly() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  a, b, c = chunk(«weight_ih @ x», 3)
                  h = tanh(a + b + c)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,23): error RG0224: chunk cannot split [4] into 3 equal pieces
                7 |       a, b, c = chunk(weight_ih @ x, 3)
                  |                       ^~~~~~~~~~~~~
            """);

    [Fact]
    public void Several_names_without_chunk() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  a, b = «tanh(weight_ih @ x)»
                  h = a * b
                output: h
            {Model}
            """,
            """
            spec.yaml(7,14): error RG0219: assigning several names needs chunk(...) on the right side
                7 |       a, b = tanh(weight_ih @ x)
                  |              ^~~~~~~~~~~~~~~~~~~
            """);

    [Fact]
    public void Cycle_inside_one_step_lists_the_names_around_it() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  a = b + 1
                  b = «a» * 2
                  h = tanh(weight_ih @ x + a)
                output: h
            {Model}
            """,
            """
            spec.yaml(8,11): error RG0207: cycle inside one step: a -> b -> a; use s[t-1] to read a state's previous value
                8 |       b = a * 2
                  |           ^
            """);

    [Fact]
    public void A_state_reading_itself_without_t_minus_1_is_a_cycle() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ x + «h»)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,32): error RG0207: cycle inside one step: h -> h; use s[t-1] to read a state's previous value
                7 |       h = tanh(weight_ih @ x + h)
                  |                                ^
            """);

    [Fact]
    public void Assigning_to_a_parameter() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                  bias: [hidden]
                state: [h]
                equations: |
                  «bias» = weight_ih @ x
                  h = tanh(bias)
                output: h
            {Model}
            """,
            """
            spec.yaml(8,7): error RG0212: cannot assign to 'bias': it is a parameter
                8 |       bias = weight_ih @ x
                  |       ^~~~
            """);

    [Fact]
    public void Assigning_to_the_step_input() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  «x» = x * 2
                  h = tanh(weight_ih @ x)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,7): error RG0212: cannot assign to 'x': it is the step input
                7 |       x = x * 2
                  |       ^
            """);

    [Fact]
    public void Previous_value_of_the_input_is_not_allowed() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ «x[t-1]»)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,28): error RG0211: 'x[t-1]' is not allowed: only states (declared under state:) have a previous value
                7 |       h = tanh(weight_ih @ x[t-1])
                  |                            ^~~~~~
            """);

    [Fact]
    public void Time_index_other_than_t_minus_1() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_hh: [hidden, hidden]
                state: [h]
                equations: |
                  h = tanh(weight_hh @ h«[t-2]»)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,29): error RG0102: unsupported time index '[t-2]'; only 'h[t-1]' (the previous step) can be referenced
                7 |       h = tanh(weight_hh @ h[t-2])
                  |                             ^~~~~
            """);

    [Fact]
    public void Unknown_function_suggests_a_close_one() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  h = «sigmod»(weight_ih @ x)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,11): error RG0209: unknown function 'sigmod'; did you mean 'sigmoid'?
                7 |       h = sigmod(weight_ih @ x)
                  |           ^~~~~~
            """);

    [Fact]
    public void Unknown_function_without_a_close_name_lists_the_functions() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  h = «softplus»(weight_ih @ x)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,11): error RG0209: unknown function 'softplus'; available: tanh, sigmoid, relu, exp, log, softmax, chunk, concat
                7 |       h = softplus(weight_ih @ x)
                  |           ^~~~~~~~
            """);

    [Fact]
    public void Matrix_used_outside_a_matrix_product() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_hh: [hidden, hidden]
                state: [h]
                equations: |
                  h = tanh(«weight_hh» * h[t-1])
                output: h
            {Model}
            """,
            """
            spec.yaml(7,16): error RG0221: parameter 'weight_hh' is a matrix [4, 4]; a matrix can only be used on the left of '@'
                7 |       h = tanh(weight_hh * h[t-1])
                  |                ^~~~~~~~~
            """);

    [Fact]
    public void Product_before_a_matrix_product_explains_the_grouping() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                  weight_hh: [hidden, hidden]
                state: [h]
                equations: |
                  z = sigmoid(weight_ih @ x)
                  h = tanh(«z * weight_hh @ h[t-1]»)
                output: h
            {Model}
            """,
            """
            spec.yaml(9,16): error RG0226: 'z * weight_hh @ h[t-1]' is read as '(z * weight_hh) @ h[t-1]' ('*', '/' and '@' bind equally tight, left to right); write 'z * (weight_hh @ h[t-1])'
                9 |       h = tanh(z * weight_hh @ h[t-1])
                  |                ^~~~~~~~~~~~~~~~~~~~~~
            """);

    [Fact]
    public void Negated_matrix_before_a_matrix_product_explains_the_grouping() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  h = tanh(«-weight_ih @ x»)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,16): error RG0226: '-weight_ih @ x' is read as '(-weight_ih) @ x' ('*', '/' and '@' bind equally tight, left to right); write '-(weight_ih @ x)'
                7 |       h = tanh(-weight_ih @ x)
                  |                ^~~~~~~~~~~~~~
            """);

    [Fact]
    public void Invalid_parameter_dimension_is_reported_once_not_again_at_each_use() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [«hidden/0», input]
                  weight_hh: [hidden, hidden]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ x + weight_hh @ h[t-1]) * «weight_ih[t-1]»
                output: h
            {Model}
            """,
            """
            spec.yaml(4,19): error RG0214: invalid parameter dimension: 4 / 0 is not a whole number
                4 |       weight_ih: [hidden/0, input]
                  |                   ^~~~~~~~
            spec.yaml(8,54): error RG0211: 'weight_ih[t-1]' is not allowed: only states (declared under state:) have a previous value
                8 |       h = tanh(weight_ih @ x + weight_hh @ h[t-1]) * weight_ih[t-1]
                  |                                                      ^~~~~~~~~~~~~~
            """);

    [Fact]
    public void Output_that_is_not_defined() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_hh: [hidden, hidden]
                state: [h]
                equations: |
                  h = tanh(weight_hh @ h[t-1])
                output: «y»
            {Model}
            """,
            """
            spec.yaml(8,13): error RG0216: output 'y' is not a state or a value defined by the equations
                8 |     output: y
                  |             ^
            """);

    [Fact]
    public void Mistakes_in_an_unused_cell_are_still_reported() =>
        Reports("""
            cells:
              unused:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  h = tanh(weight_ih @ «xt»)
                output: h
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: gru, hidden: 4 }
            """,
            """
            spec.yaml(7,28): error RG0202: 'xt' is not defined in this cell; did you mean 'x'?
                7 |       h = tanh(weight_ih @ xt)
                  |                            ^~
            """);

    [Fact]
    public void Chunk_of_a_matrix_must_split_its_rows_evenly() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                  weight_hh: [hidden + 1, hidden]
                state: [h]
                equations: |
                  a, b = chunk(«weight_hh», 2)
                  h = tanh(weight_ih @ x + a @ h[t-1])
                output: h
            {Model}
            """,
            """
            spec.yaml(8,20): error RG0224: chunk cannot split the 5 rows of [5, 4] into 2 equal pieces
                8 |       a, b = chunk(weight_hh, 2)
                  |                    ^~~~~~~~~
            """);

    [Fact]
    public void A_piece_of_a_chunked_matrix_is_only_usable_left_of_matmul() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                  weight_hh: [2*hidden, hidden]
                state: [h]
                equations: |
                  a, b = chunk(weight_hh, 2)
                  h = tanh(weight_ih @ x + a @ h[t-1] + «b»)
                output: h
            {Model}
            """,
            """
            spec.yaml(9,45): error RG0221: piece 'b' is a matrix [4, 4]; a matrix can only be used on the left of '@'
                9 |       h = tanh(weight_ih @ x + a @ h[t-1] + b)
                  |                                             ^
            """);
}
