using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Equations;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Tests.Equations;

/// <summary>Spans and diagnostics of equations embedded in a YAML literal block land on the YAML file's lines and columns.</summary>
public class EquationSourceMappingTests
{
    // Line 5 holds the block's first equation; its lines are indented by 6 spaces.
    private const string Yaml = """
        cells:
          mgu:
            state: [h]
            equations: |
              f = sigmoid(weight_f @ x)
              h = (1 - f) * h[t-1] + f * tanh(weight_h @ x)
            output: h
        """;

    /// <summary>
    /// Extracts the literal block the way a YAML reader does (indentation removed) together with the
    /// offset map from block text to the file.
    /// </summary>
    private static (SourceText Source, string Text, Func<int, int> Map) Embedded(string yaml, int firstLine, int lastLine, int indent)
    {
        var source = new SourceText("cells.yaml", yaml);
        var text = new System.Text.StringBuilder();
        var offsets = new List<int>();
        for (int line = firstLine; line <= lastLine; line++)
        {
            int start = source.GetLineStart(line) + indent;
            string content = source.GetLineText(line)[indent..];
            for (int i = 0; i < content.Length; i++) offsets.Add(start + i);
            text.Append(content).Append('\n');
            offsets.Add(start + content.Length); // the line break
        }
        return (source, text.ToString(), i => offsets[i]);
    }

    [Fact]
    public void Spans_of_the_second_equation_point_at_its_line_in_the_yaml_file()
    {
        var (source, text, map) = Embedded(Yaml, 4, 5, 6);
        var bag = new DiagnosticBag();
        var block = EquationParser.ParseBlock(source, text, map, bag);
        Assert.Empty(bag);

        var second = block.Assignments[1];
        var sum = Assert.IsType<BinaryExpr>(second.Value);
        var previous = Assert.IsType<PreviousExpr>(((BinaryExpr)sum.Left).Right);

        var at = new TextLocation(source, previous.Span);
        Assert.Equal((6, 21), (at.Line, at.Column));
        Assert.Equal("h[t-1]", source.ToString(previous.Span));
        Assert.Equal("h = (1 - f) * h[t-1] + f * tanh(weight_h @ x)", source.ToString(second.Span));
        Assert.Equal("+", source.ToString(sum.OperatorSpan));

        var target = new TextLocation(source, Assert.Single(second.Targets).Span);
        Assert.Equal((6, 7), (target.Line, target.Column));
    }

    [Fact]
    public void The_block_span_covers_both_lines_in_the_file()
    {
        var (source, text, map) = Embedded(Yaml, 4, 5, 6);
        var block = EquationParser.ParseBlock(source, text, map, new DiagnosticBag());
        Assert.Equal("""
            f = sigmoid(weight_f @ x)
                  h = (1 - f) * h[t-1] + f * tanh(weight_h @ x)
            """, source.ToString(block.Span));
    }

    [Fact]
    public void A_syntax_error_is_reported_at_its_line_and_column_in_the_yaml_file()
    {
        const string yaml = """
            cells:
              bad:
                equations: |
                  a = x
                  b = (a + 1
                output: b
            """;
        var (source, text, map) = Embedded(yaml, 3, 4, 6);
        var bag = new DiagnosticBag();
        var block = EquationParser.ParseBlock(source, text, map, bag);

        var error = Assert.Single(bag);
        Assert.Equal("cells.yaml(5,17): error RG0101: expected ')' after '1'", error.ToString());
        Assert.Equal("a", Assert.Single(Assert.Single(block.Assignments).Targets).Name);
    }

    [Fact]
    public void A_dimension_inside_a_flow_sequence_maps_by_its_offset()
    {
        const string yaml = "weight_ih: [3*hidden, input]\n";
        var source = new SourceText("cells.yaml", yaml);
        int start = yaml.IndexOf("3*hidden", StringComparison.Ordinal);
        var bag = new DiagnosticBag();
        var expr = EquationParser.ParseExpression(source, "3*hidden", i => start + i, bag);

        var product = Assert.IsType<BinaryExpr>(expr);
        Assert.Equal("3*hidden", source.ToString(product.Span));
        Assert.Equal(new TextSpan(13, 1), product.OperatorSpan);
        Assert.Equal("hidden", source.ToString(product.Right.Span));
    }
}
