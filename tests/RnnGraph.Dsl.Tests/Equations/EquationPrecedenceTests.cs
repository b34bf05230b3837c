using RnnGraph.Dsl.Equations;
using static RnnGraph.Dsl.Tests.Equations.EquationTestSupport;

namespace RnnGraph.Dsl.Tests.Equations;

/// <summary>Operator precedence, associativity and the forms of primary expressions.</summary>
public class EquationPrecedenceTests
{
    [Theory]
    [InlineData("a - b - c", "(- (- a b) c)")]
    [InlineData("a / b / c", "(/ (/ a b) c)")]
    [InlineData("a / b * c", "(* (/ a b) c)")]
    [InlineData("-a * b", "(* (- a) b)")]
    [InlineData("a * -b", "(* a (- b))")]
    [InlineData("- -a", "(- (- a))")]
    [InlineData("-(a + b)", "(- (+ a b))")]
    [InlineData("+a - b", "(- a b)")]
    [InlineData("W @ x + b", "(+ (@ W x) b)")]
    [InlineData("b + W @ x", "(+ b (@ W x))")]
    [InlineData("a * b @ c", "(@ (* a b) c)")]
    [InlineData("a @ b * c", "(* (@ a b) c)")]
    [InlineData("a + b * c - d", "(- (+ a (* b c)) d)")]
    [InlineData("(a + b) * c", "(* (+ a b) c)")]
    [InlineData("a - -1e-3", "(- a (- 0.001))")]
    public void Binary_and_unary_operators_group_by_precedence(string text, string expected) =>
        Assert.Equal(expected, PrintExpression(text));

    [Theory]
    [InlineData("3", 3.0)]
    [InlineData("0.5", 0.5)]
    [InlineData(".25", 0.25)]
    [InlineData("2.", 2.0)]
    [InlineData("1e-3", 0.001)]
    [InlineData("6.02E23", 6.02e23)]
    [InlineData("1e+2", 100.0)]
    public void Number_literals_are_parsed_with_the_invariant_culture(string text, double value)
    {
        var (expr, _) = ParseExpression(text);
        Assert.Equal(value, Assert.IsType<NumberExpr>(expr).Value);
    }

    [Theory]
    [InlineData("f()", "(f)")]
    [InlineData("concat(a, b, c)", "(concat a b c)")]
    [InlineData("softmax(W @ tanh(x))", "(softmax (@ W (tanh x)))")]
    [InlineData("h[t-1]", "h[t-1]")]
    [InlineData("_hidden_2", "_hidden_2")]
    public void Calls_names_and_previous_steps(string text, string expected) =>
        Assert.Equal(expected, PrintExpression(text));

    [Fact]
    public void A_dimension_expression_parses_as_a_single_expression()
    {
        var (expr, bag) = ParseExpression("3*hidden");
        Assert.Empty(bag);
        var product = Assert.IsType<BinaryExpr>(expr);
        Assert.Equal(BinaryOperator.Multiply, product.Operator);
        Assert.Equal(3.0, Assert.IsType<NumberExpr>(product.Left).Value);
        Assert.Equal("hidden", Assert.IsType<NameExpr>(product.Right).Name);
    }
}
