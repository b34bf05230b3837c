using RnnGraph.Dsl.Diagnostics;
using static RnnGraph.Compiler.Tests.Diagnostics.DiagnosticAssert;

namespace RnnGraph.Compiler.Tests.Diagnostics;

/// <summary>
/// Positions inside equations however the YAML writes them: literal and folded blocks, quoted
/// strings, later lines of a block, Windows line endings.
/// </summary>
public sealed class EquationPositionTests
{
    private const string Model = """
        model:
          inputs:
            x: { size: 3 }
          layers:
            - rnn: { cell: mycell, hidden: 4 }
        """;

    [Fact]
    public void Later_line_of_a_literal_block() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                  weight_hh: [hidden, hidden]
                state: [h]
                equations: |
                  a = weight_ih @ x

                  h = tanh(a + weight_hh @ «hprev»)
                output: h
            {Model}
            """,
            """
            spec.yaml(10,32): error RG0202: 'hprev' is not defined in this cell; define it with an equation or declare it under params or state
               10 |       h = tanh(a + weight_hh @ hprev)
                  |                                ^~~~~
            """);

    [Fact]
    public void Folded_block() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: >
                  h = tanh(weight_ih @ «inp»)
                output: h
            {Model}
            """,
            """
            spec.yaml(7,28): error RG0202: 'inp' is not defined in this cell; define it with an equation or declare it under params or state
                7 |       h = tanh(weight_ih @ inp)
                  |                            ^~~
            """);

    [Fact]
    public void Double_quoted_string() =>
        Reports($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: "h = tanh(weight_ih @ «inp»)"
                output: h
            {Model}
            """,
            """
            spec.yaml(6,38): error RG0202: 'inp' is not defined in this cell; define it with an equation or declare it under params or state
                6 |     equations: "h = tanh(weight_ih @ inp)"
                  |                                      ^~~
            """);

    [Fact]
    public void Plain_scalar_in_a_flow_mapping() =>
        Reports($$"""
            cells:
              mycell: { params: { weight_ih: [hidden, input] }, state: [h], equations: h = tanh(weight_ih @ «inp»), output: h }
            {{Model}}
            """,
            """
            spec.yaml(2,97): error RG0202: 'inp' is not defined in this cell; define it with an equation or declare it under params or state
                2 |   mycell: { params: { weight_ih: [hidden, input] }, state: [h], equations: h = tanh(weight_ih @ inp), output: h }
                  |                                                                                                 ^~~
            """);

    [Fact]
    public void Windows_line_endings_do_not_shift_columns()
    {
        var spec = MarkedSpec.Parse($"""
            cells:
              mycell:
                params:
                  weight_ih: [hidden, input]
                state: [h]
                equations: |
                  a = weight_ih @ x
                  h = tanh(a + «hprev»)
                output: h
            {Model}
            """);
        var diagnostic = Assert.Single(Compile(spec.Yaml.Replace("\n", "\r\n")));

        Assert.Equal(spec.Spans[0].Start + 7, diagnostic.Location!.Value.Span.Start); // one '\r' per earlier line
        Assert.Equal("""
            spec.yaml(8,20): error RG0202: 'hprev' is not defined in this cell; define it with an equation or declare it under params or state
                8 |       h = tanh(a + hprev)
                  |                    ^~~~~

            """, DiagnosticFormatter.Format(diagnostic));
    }
}
