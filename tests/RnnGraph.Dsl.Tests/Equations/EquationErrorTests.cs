using RnnGraph.Dsl.Equations;
using static RnnGraph.Dsl.Tests.Equations.EquationTestSupport;

namespace RnnGraph.Dsl.Tests.Equations;

/// <summary>Lexer and syntax errors: code, exact message and position (cell.yaml(line,col)), one per line.</summary>
public class EquationErrorTests
{
    [Theory]
    [InlineData("h tanh(x)", "cell.yaml(1,3): error RG0101: expected '=' after 'h'")]
    [InlineData("h", "cell.yaml(1,2): error RG0101: expected '=' after 'h'")]
    [InlineData("a, b chunk(x, 2)", "cell.yaml(1,6): error RG0101: expected '=' after 'b'")]
    [InlineData("h = (a + b", "cell.yaml(1,11): error RG0101: expected ')' after 'b'")]
    [InlineData("h = tanh(x", "cell.yaml(1,11): error RG0101: expected ',' or ')' after 'x'")]
    [InlineData("h = f(a, (b c))", "cell.yaml(1,13): error RG0101: unexpected name 'c' in equation; expected ')'")]
    [InlineData("h = f(x y)", "cell.yaml(1,9): error RG0101: unexpected name 'y' in equation; expected ',' or ')'")]
    [InlineData("h = a + b)", "cell.yaml(1,10): error RG0101: unmatched ')' in equation")]
    [InlineData("h = )", "cell.yaml(1,5): error RG0101: unmatched ')' in equation")]
    [InlineData("h = f(a, )", "cell.yaml(1,10): error RG0101: unexpected ')' in equation; expected an expression")]
    [InlineData("h = ()", "cell.yaml(1,6): error RG0101: unexpected ')' in equation; expected an expression")]
    [InlineData("h = a +", "cell.yaml(1,8): error RG0101: expected an expression after '+'")]
    [InlineData("h = a * # comment", "cell.yaml(1,8): error RG0101: expected an expression after '*'")]
    [InlineData("h =", "cell.yaml(1,4): error RG0101: expected an expression after '='")]
    [InlineData("h = a b", "cell.yaml(1,7): error RG0101: unexpected name 'b' in equation; expected an operator or end of line")]
    [InlineData("h = (a b)", "cell.yaml(1,8): error RG0101: unexpected name 'b' in equation; expected ')'")]
    [InlineData("h = a = b", "cell.yaml(1,7): error RG0101: unexpected '=' in equation; expected an operator or end of line")]
    [InlineData("1 = h", "cell.yaml(1,1): error RG0101: unexpected number '1' in equation; expected a name")]
    [InlineData("h, = x", "cell.yaml(1,4): error RG0101: unexpected '=' in equation; expected a name")]
    [InlineData("h = ; z = a", "cell.yaml(1,5): error RG0101: unexpected ';' in equation; expected an expression")]
    [InlineData("h = a[t-1]+", "cell.yaml(1,12): error RG0101: expected an expression after '+'")]
    [InlineData("h = s[t+1]", "cell.yaml(1,8): error RG0101: unexpected '+' in equation; expected '-'")]
    [InlineData("h = a $ b", "cell.yaml(1,7): error RG0100: unexpected character '$' in equation")]
    [InlineData("h = a ^ 2", "cell.yaml(1,7): error RG0100: unexpected character '^' in equation")]
    [InlineData("h = a\u00A0+ b", "cell.yaml(1,6): error RG0100: unexpected character 'U+00A0' in equation")]
    [InlineData("h = s[t-2]", "cell.yaml(1,6): error RG0102: unsupported time index '[t-2]'; only 's[t-1]' (the previous step) can be referenced")]
    [InlineData("h = s[k-1]", "cell.yaml(1,6): error RG0102: unsupported time index '[k-1]'; only 's[t-1]' (the previous step) can be referenced")]
    public void A_bad_line_gets_one_readable_error_and_no_assignment(string text, string expected)
    {
        var (block, bag) = ParseBlock(text);
        Assert.Equal([expected], Errors(bag));
        Assert.DoesNotContain(block.Assignments, a => a.Targets[0].Name == "h");
    }

    // Facts rather than InlineData: xunit's theory-data serialisation does not keep surrogates intact.
    [Fact]
    public void An_emoji_is_one_unexpected_character()
    {
        var (_, bag) = ParseBlock("h = a \U0001F600 b");
        var error = Assert.Single(bag);
        Assert.Equal("cell.yaml(1,7): error RG0100: unexpected character '\U0001F600' in equation", error.ToString());
        Assert.Equal(2, error.Location!.Value.Span.Length);
    }

    [Fact]
    public void A_lone_surrogate_is_named_by_its_code_unit()
    {
        var (_, bag) = ParseBlock("h = a \uD83D b");
        Assert.Equal(["cell.yaml(1,7): error RG0100: unexpected character 'U+D83D' in equation"], Errors(bag));
    }

    [Fact]
    public void Each_bad_line_reports_once_and_good_lines_are_kept()
    {
        var (block, bag) = ParseBlock("h = (a $ b\nr = b + * c\nz = c\nq = ) )");
        Assert.Equal(
            [
                "cell.yaml(1,8): error RG0100: unexpected character '$' in equation",
                "cell.yaml(2,9): error RG0101: unexpected '*' in equation; expected an expression",
                "cell.yaml(4,5): error RG0101: unmatched ')' in equation",
            ],
            Errors(bag));
        Assert.Equal("z = c", SyntaxPrinter.Print(block));
    }

    [Theory]
    [InlineData("3*", "cell.yaml(1,3): error RG0101: expected an expression after '*'")]
    [InlineData("3*hidden)", "cell.yaml(1,9): error RG0101: unmatched ')' in expression")]
    [InlineData("3 hidden", "cell.yaml(1,3): error RG0101: unexpected name 'hidden' in expression; expected an operator or end of the expression")]
    [InlineData("h = 3", "cell.yaml(1,3): error RG0101: unexpected '=' in expression; expected an operator or end of the expression")]
    [InlineData("2 % hidden", "cell.yaml(1,3): error RG0100: unexpected character '%' in expression")]
    [InlineData("", "cell.yaml(1,1): error RG0101: expected an expression")]
    [InlineData("3*\nhidden", "cell.yaml(1,3): error RG0101: unexpected end of line in expression; expected an expression")]
    public void A_bad_expression_returns_null_with_one_error(string text, string expected)
    {
        var (expr, bag) = ParseExpression(text);
        Assert.Null(expr);
        Assert.Equal([expected], Errors(bag));
    }
}
