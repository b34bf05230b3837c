using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph gradcheck</c>: the compiled backward graph agrees with float64 central differences.</summary>
public sealed class GradcheckCommandTests
{
    public static TheoryData<string> Examples => ExampleNames();

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_passes(string name)
    {
        var result = Run("gradcheck", Example(name), "--steps", "3", "--batch", "2", "--max-elements", "12");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        string[] lines = result.Out.TrimEnd('\n').Split('\n');
        Assert.StartsWith("gradient ", lines[0]);
        Assert.StartsWith("passed: worst relative error ", lines[^1]);
        Assert.Contains("T=3, B=2, float64", lines[^1]);
        Assert.DoesNotContain(lines, l => l.EndsWith("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public void Lists_a_line_per_parameter_gradient()
    {
        var result = Run("gradcheck", Example("mgu-custom-cell.yaml"), "--steps", "2", "--max-elements", "4");

        Assert.Equal(0, result.ExitCode);
        foreach (string parameter in new[] { "rnn.weight_ih_l0", "rnn.weight_hf_l1", "rnn.weight_hn_l0", "rnn.bias_ih_l1", "dense.weight", "dense.bias" })
            Assert.Contains($"\ngrad.{parameter} ", result.Out);
    }
}
