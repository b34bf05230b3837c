using RnnGraph.Dsl.Equations;
using RnnGraph.Dsl.Text;
using static RnnGraph.Dsl.Tests.Equations.EquationTestSupport;

namespace RnnGraph.Dsl.Tests.Equations;

/// <summary>The trees built for the built-in cells and for blocks with comments, blank lines and separators.</summary>
public class EquationShapeTests
{
    [Fact]
    public void Gru_equations_from_the_design_parse_to_the_expected_trees()
    {
        const string gru = """
            xr, xz, xn = chunk(weight_ih @ x + bias_ih, 3)
            hr, hz, hn = chunk(weight_hh @ h[t-1] + bias_hh, 3)
            r = sigmoid(xr + hr)
            z = sigmoid(xz + hz)
            n = tanh(xn + r * hn)
            h = (1 - z) * n + z * h[t-1]
            """;
        Assert.Equal("""
            xr, xz, xn = (chunk (+ (@ weight_ih x) bias_ih) 3)
            hr, hz, hn = (chunk (+ (@ weight_hh h[t-1]) bias_hh) 3)
            r = (sigmoid (+ xr hr))
            z = (sigmoid (+ xz hz))
            n = (tanh (+ xn (* r hn)))
            h = (+ (* (- 1 z) n) (* z h[t-1]))
            """, PrintBlock(gru));
    }

    [Fact]
    public void Lstm_equations_from_the_design_parse_to_the_expected_trees()
    {
        const string lstm = """
            i, f, g, o = chunk(weight_ih @ x + bias_ih + weight_hh @ h[t-1] + bias_hh, 4)
            c = sigmoid(f) * c[t-1] + sigmoid(i) * tanh(g)
            h = sigmoid(o) * tanh(c)
            """;
        Assert.Equal("""
            i, f, g, o = (chunk (+ (+ (+ (@ weight_ih x) bias_ih) (@ weight_hh h[t-1])) bias_hh) 4)
            c = (+ (* (sigmoid f) c[t-1]) (* (sigmoid i) (tanh g)))
            h = (* (sigmoid o) (tanh c))
            """, PrintBlock(lstm));
    }

    [Fact]
    public void Tuple_targets_keep_their_names_and_spans_in_order()
    {
        var (block, bag) = ParseBlock("a, b ,c = chunk(x, 3)");
        Assert.Empty(bag);
        var targets = Assert.Single(block.Assignments).Targets;
        Assert.Equal(["a", "b", "c"], targets.Select(t => t.Name));
        Assert.Equal([0, 3, 6], targets.Select(t => t.Span.Start));
        Assert.All(targets, t => Assert.Equal(1, t.Span.Length));
    }

    [Fact]
    public void Comments_blank_lines_semicolons_and_crlf_are_separators_or_skipped()
    {
        const string text = "\r\n# header comment\r\nr = a  # trailing comment\r\n\r\n   \r\nz = b; y = c;\r\n# last\r\n";
        Assert.Equal("r = a\nz = b\ny = c", PrintBlock(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("# only a comment")]
    [InlineData(" ; ;\n")]
    public void A_block_without_assignments_is_empty_and_valid(string text)
    {
        var (block, bag) = ParseBlock(text);
        Assert.Empty(bag);
        Assert.Empty(block.Assignments);
    }

    [Fact]
    public void Previous_step_allows_spaces_inside_the_brackets()
    {
        var (block, bag) = ParseBlock("h = s[ t - 1 ]");
        Assert.Empty(bag);
        var previous = Assert.IsType<PreviousExpr>(Assert.Single(block.Assignments).Value);
        Assert.Equal("s", previous.Name.Name);
        Assert.Equal(new TextSpan(4, 1), previous.Name.Span);
        Assert.Equal(new TextSpan(4, 10), previous.Span);
    }

    [Fact]
    public void Spans_cover_the_written_text_and_the_operator_token()
    {
        const string text = "n = tanh(xn + r * hn)";
        var (block, bag) = ParseBlock(text);
        Assert.Empty(bag);
        var assignment = Assert.Single(block.Assignments);
        Assert.Equal(text, Slice(text, assignment.Span));
        Assert.Equal(text, Slice(text, block.Span));

        var call = Assert.IsType<CallExpr>(assignment.Value);
        Assert.Equal("tanh(xn + r * hn)", Slice(text, call.Span));
        Assert.Equal("tanh", Slice(text, call.Function.Span));

        var sum = Assert.IsType<BinaryExpr>(Assert.Single(call.Arguments));
        Assert.Equal(BinaryOperator.Add, sum.Operator);
        Assert.Equal("xn + r * hn", Slice(text, sum.Span));
        Assert.Equal("+", Slice(text, sum.OperatorSpan));
        Assert.Equal("*", Slice(text, ((BinaryExpr)sum.Right).OperatorSpan));
    }

    [Fact]
    public void Parentheses_leave_no_node_and_the_inner_expression_keeps_its_span()
    {
        const string text = "h = ((1 - z))";
        var (block, _) = ParseBlock(text);
        var inner = Assert.IsType<BinaryExpr>(Assert.Single(block.Assignments).Value);
        Assert.Equal(BinaryOperator.Subtract, inner.Operator);
        Assert.Equal("1 - z", Slice(text, inner.Span));
    }

    [Fact]
    public void Block_span_runs_from_the_first_to_the_last_token()
    {
        const string text = "\n  # c\n  a = b\n\n  c = d  # end\n\n";
        var (block, _) = ParseBlock(text);
        Assert.Equal("a = b\n\n  c = d", Slice(text, block.Span));
    }

    private static string Slice(string text, TextSpan span) => text.Substring(span.Start, span.Length);
}
