using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Equations;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;
using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>User cells: parameter shapes and equations are parsed with locations inside the YAML file.</summary>
public sealed class SpecReaderCellTests
{
    // Line numbers below: the model takes lines 1-5, so cells start on line 6.
    private const string Cells = MinimalModel + """
        cells:
          mgu:
            params:
              weight_ih: [2*hidden, input]
              weight_hh: ['2 * hidden', hidden]
              bias_ih: [2*hidden]
            state: [h]
            equations: |
              f, n = chunk(weight_ih @ x + bias_ih, 2)

              h = (1 - sigmoid(f)) * h[t-1] + sigmoid(f) * tanh(n + weight_hh @ h[t-1])
            output: h
          empty:
            params:
            state: [a, b]
            equations: |-
              a = x
              b = a
            output: b
        """;

    private static IEnumerable<Expr> Walk(Expr expr) => expr switch
    {
        UnaryExpr u => Walk(u.Operand).Prepend(expr),
        BinaryExpr b => Walk(b.Left).Concat(Walk(b.Right)).Prepend(expr),
        CallExpr c => c.Arguments.SelectMany(Walk).Prepend(expr),
        _ => [expr],
    };

    private static string Text(SourceText source, TextSpan span) => source.ToString(span);

    [Fact]
    public void Reads_cells_with_params_states_and_output()
    {
        var (document, diagnostics) = Read(Cells);

        Assert.Empty(diagnostics);
        Assert.NotNull(document.Model);
        Assert.Equal(["mgu", "empty"], document.Cells.Select(c => c.Name.Value));

        var mgu = document.Cells[0];
        Assert.Equal((7, 3), (mgu.Name.Location.Line, mgu.Name.Location.Column));
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih"], mgu.Params.Select(p => p.Name.Value));
        Assert.Equal((9, 7), (mgu.Params[0].Name.Location.Line, mgu.Params[0].Name.Location.Column));
        Assert.Equal("weight_ih: [2*hidden, input]", TextOf(mgu.Params[0].Location));
        Assert.Equal(["h"], mgu.States.Select(s => s.Value));
        Assert.Equal((12, 13), (mgu.States[0].Location.Line, mgu.States[0].Location.Column));
        Assert.Equal("h", mgu.Output.Value);
        Assert.Equal((17, 13), (mgu.Output.Location.Line, mgu.Output.Location.Column));

        var empty = document.Cells[1];
        Assert.Empty(empty.Params);
        Assert.Equal(["a", "b"], empty.States.Select(s => s.Value));
    }

    [Fact]
    public void Shape_expressions_are_located_in_the_file()
    {
        var (document, diagnostics) = Read(Cells);

        Assert.Empty(diagnostics);
        var source = document.Source;
        var mgu = document.Cells[0];

        var first = Assert.IsType<BinaryExpr>(mgu.Params[0].Shape[0]);
        Assert.Equal(BinaryOperator.Multiply, first.Operator);
        Assert.Equal(2, Assert.IsType<NumberExpr>(first.Left).Value);
        Assert.Equal("hidden", Assert.IsType<NameExpr>(first.Right).Name);
        Assert.Equal("2*hidden", Text(source, first.Span));
        Assert.Equal("input", Text(source, mgu.Params[0].Shape[1].Span));

        // Inside quotes the spans still land on the written characters.
        var quoted = Assert.IsType<BinaryExpr>(mgu.Params[1].Shape[0]);
        Assert.Equal("2 * hidden", Text(source, quoted.Span));
        Assert.Equal("hidden", Text(source, quoted.Right.Span));
    }

    [Fact]
    public void Equation_spans_point_inside_the_block()
    {
        var (document, diagnostics) = Read(Cells);

        Assert.Empty(diagnostics);
        var source = document.Source;
        var equations = document.Cells[0].Equations.Assignments;
        Assert.Equal(2, equations.Count);

        Assert.Equal(["f", "n"], equations[0].Targets.Select(t => t.Name));
        var f = new TextLocation(source, equations[0].Targets[0].Span);
        Assert.Equal((14, 7), (f.Line, f.Column));

        // After the blank line: line 16, indented by 6.
        var h = new TextLocation(source, equations[1].Targets[0].Span);
        Assert.Equal((16, 7), (h.Line, h.Column));
        Assert.StartsWith("h = (1 - sigmoid(f))", Text(source, equations[1].Span));

        // Every name the parser found is the text at its span.
        foreach (var expr in equations.SelectMany(a => Walk(a.Value)))
        {
            if (expr is NameExpr name) Assert.Equal(name.Name, Text(source, name.Span));
        }
    }

    [Fact]
    public void Equation_syntax_error_points_at_the_character_in_the_file()
    {
        var (_, diagnostics) = Read(MinimalModel + """
            cells:
              c:
                params: {}
                state: [h]
                equations: |
                  h = x $ 1
                output: h
            """);

        var error = Assert.Single(diagnostics);
        Assert.Equal((11, 13), (error.Location!.Value.Line, error.Location.Value.Column));
    }

    [Fact]
    public void Cell_value_errors() =>
        AssertErrors(MinimalModel + """
            cells:
              a:
                params:
                  w: 3
                  v: [[hidden]]
                state: []
                equations: { h: x }
                output: h
              b:
                params: {}
                state: [h, 1h, h]
                equations: |
                  h = x
                output: [h]
              c: nothing
            """,
            "spec.yaml(9,10): error RG0004: expected a shape such as [hidden, input] for parameter 'w', got '3'",
            "spec.yaml(10,11): error RG0004: expected a dimension such as 3*hidden for parameter 'v', got a sequence",
            "spec.yaml(11,5): error RG0018: 'state' must not be empty",
            "spec.yaml(12,16): error RG0004: expected a text block (equations: |) for 'equations', got a mapping",
            "spec.yaml(16,16): error RG0017: '1h' is not a valid name; use letters, digits and '_', not starting with a digit",
            "spec.yaml(16,20): error RG0011: duplicate state 'h' in cell 'b' (first declared on line 16)",
            "spec.yaml(19,13): error RG0004: expected a name for 'output', got a sequence",
            "spec.yaml(20,6): error RG0004: expected a mapping of params, state, equations and output for cell 'c', got 'nothing'");

    [Fact]
    public void No_prefix_of_a_spec_with_cells_throws()
    {
        for (int length = 0; length <= Cells.Length; length++)
        {
            var (document, _) = Read(Cells[..length]);
            Assert.NotNull(document);
        }
    }

    [Fact]
    public void Cell_library_needs_no_model()
    {
        var bag = new DiagnosticBag();
        var document = SpecReader.ReadCellLibrary(new SourceText("cells.yaml", """
            cells:
              id:
                params: {}
                state: [h]
                equations: |
                  h = x
                output: h
            """), bag);

        Assert.Empty(bag);
        Assert.Null(document.Model);
        Assert.Equal("id", Assert.Single(document.Cells).Name.Value);
    }

    [Fact]
    public void Empty_cell_library_is_fine()
    {
        var bag = new DiagnosticBag();
        var document = SpecReader.ReadCellLibrary(new SourceText("cells.yaml", ""), bag);

        Assert.Empty(bag);
        Assert.Empty(document.Cells);
    }
}
