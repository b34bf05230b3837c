using RnnGraph.Compiler.Ops;

namespace RnnGraph.Runtime.Tests.Ops;

/// <summary>
/// Every op's gradient rule (compiler) and kernels (runtime) against central differences in float64,
/// driven by <see cref="OpGradientCases"/>. Adding an op without a case fails <see cref="Every_op_with_inputs_has_a_gradient_case"/>.
/// </summary>
public sealed class OpGradientTests
{
    public static TheoryData<string> CaseNames() => new(OpGradientCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Gradient_matches_central_differences(string name)
    {
        var c = OpGradientCases.Get(name);
        var results = FiniteDifferenceCheck.Run(c);
        Assert.NotEmpty(results);
        foreach (var r in results)
        {
            Assert.True(r.WorstRelativeError <= c.Tolerance,
                $"{c.Name}: grad.{r.Operand}[{r.Element}] = {r.Analytic:R}, central difference {r.Numeric:R} " +
                $"(relative error {r.WorstRelativeError:E2} > {c.Tolerance:E0})");
        }
    }

    [Fact]
    public void Every_op_with_inputs_has_a_gradient_case()
    {
        var covered = OpGradientCases.All.Select(c => c.Op).ToHashSet();
        var missing = OpTable.All.Where(op => !op.IsLeaf && !covered.Contains(op.Name)).Select(op => op.Name).ToList();
        Assert.True(missing.Count == 0, $"ops without a gradient case in OpGradientCases: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_case_names_an_op_of_the_table_and_is_named_once()
    {
        Assert.All(OpGradientCases.All, c => Assert.False(OpTable.Get(c.Op).IsLeaf, $"{c.Name}: {c.Op} is a leaf"));
        Assert.Equal(OpGradientCases.All.Count, OpGradientCases.All.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void Every_op_with_inputs_has_a_gradient_rule()
    {
        Assert.All(OpTable.All.Where(op => !op.IsLeaf), op => Assert.True(op.Gradient is not null, $"{op.Name} has no gradient rule"));
    }

    /// <summary>The check itself must be able to fail: the teaching material's wrong tanh derivative 1 - tanh(y)^2 is caught.</summary>
    [Fact]
    public void A_wrong_gradient_rule_is_detected()
    {
        var tanh = OpTable.Get("tanh");
        var wrong = new OpDefinition("tanh", 1, tanh.ShapeRule,
            (b, n, g) => [b.Mul(g, b.Sub(b.Const(1), b.Mul(b.Apply("tanh", n), b.Apply("tanh", n))))]);
        var result = Assert.Single(FiniteDifferenceCheck.Run(OpGradientCases.Get("tanh [B,5]"), wrong));
        Assert.True(result.WorstRelativeError > 1e-2, $"relative error {result.WorstRelativeError}");
    }

    /// <summary>A broadcast operand whose gradient is not summed back over the batch would have the wrong size.</summary>
    [Fact]
    public void A_gradient_rule_that_forgets_to_reduce_a_broadcast_is_detected()
    {
        var add = OpTable.Get("add");
        var wrong = new OpDefinition("add", 2, add.ShapeRule, (b, n, g) => [g, b.SliceLast(g, 0, n.Inputs[1].Shape.Last)]);
        var e = Assert.ThrowsAny<Exception>(() => FiniteDifferenceCheck.Run(OpGradientCases.Get("add [B,5]+[5]"), wrong));
        Assert.Contains("grad.b", e.Message);
    }
}
