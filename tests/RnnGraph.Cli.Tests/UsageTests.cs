using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary>Help and usage mistakes: help exits 0, wrong usage prints the usage and exits 2.</summary>
public sealed class UsageTests
{
    private static readonly string[] CommandNames = ["check", "dump", "eval", "gradcheck"];

    [Fact]
    public void Help_lists_every_command()
    {
        var result = Run("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("usage: rnngraph COMMAND [ARGS]", result.Out);
        foreach (string command in CommandNames) Assert.Contains($"\n  {command} ", result.Out);
        Assert.Empty(result.Error);
    }

    [Fact]
    public void No_arguments_prints_the_overview_and_exits_2()
    {
        var result = Run();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: rnngraph COMMAND [ARGS]", result.Out + result.Error);
    }

    [Theory]
    [InlineData("check", "usage: rnngraph check SPEC [--set KEY=VALUE]\n")]
    [InlineData("dump", "usage: rnngraph dump SPEC --steps T [--stage STAGE] [--format FORMAT]")]
    [InlineData("eval", "usage: rnngraph eval SPEC|MODEL.onnx [--weights W.safetensors] --inputs IN.safetensors --out OUT.safetensors")]
    [InlineData("gradcheck", "usage: rnngraph gradcheck SPEC")]
    public void Command_help_starts_with_its_usage(string command, string usage)
    {
        foreach (var args in new[] { new[] { command, "--help" }, [command, "-h"], ["help", command], [command, "spec.yaml", "--help"] })
        {
            var result = Run(args);

            Assert.Equal(0, result.ExitCode);
            Assert.StartsWith(usage, result.Out);
            Assert.Empty(result.Error);
        }
    }

    [Fact]
    public void Dump_help_describes_its_options()
    {
        var result = Run("dump", "--help");

        Assert.Contains("  --steps T ", result.Out);
        Assert.Contains("  --format FORMAT ", result.Out);
        Assert.Contains("text | dot", result.Out);
    }

    [Fact]
    public void Unknown_command_suggests_the_closest_one()
    {
        var result = Run("chek", "spec.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: unknown command 'chek'; did you mean 'check'?", result.ErrorLines[0]);
        Assert.Contains("usage: rnngraph COMMAND [ARGS]", result.Error);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void Unknown_option_suggests_the_closest_one_and_prints_the_usage()
    {
        var result = Run("dump", Example("char-lstm.yaml"), "--step", "3");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(3, result.ErrorLines.Length);
        Assert.Equal("error: unknown option '--step' for 'dump'; did you mean '--steps'?", result.ErrorLines[0]);
        Assert.StartsWith("usage: rnngraph dump SPEC --steps T [--stage STAGE]", result.ErrorLines[1]);
        Assert.Equal("run 'rnngraph dump --help' for details", result.ErrorLines[2]);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void Missing_required_option_names_it()
    {
        var result = Run("eval", Example("char-lstm.yaml"), "--weights", "w.safetensors", "--out", "out.safetensors");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: 'eval' needs --inputs IN.safetensors", result.ErrorLines[0]);
        Assert.StartsWith("usage: rnngraph eval SPEC|MODEL.onnx [--weights W.safetensors] --inputs IN.safetensors --out OUT.safetensors", result.ErrorLines[1]);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void A_spec_without_weights_and_an_onnx_model_with_them_are_usage_errors()
    {
        var spec = Run("eval", Example("char-lstm.yaml"), "--inputs", "in.safetensors", "--out", "out.safetensors");
        Assert.Equal(2, spec.ExitCode);
        Assert.Equal("error: missing required option --weights (a spec needs its parameters)", spec.ErrorLines[0]);
        var onnx = Run("eval", "model.onnx", "--weights", "w.safetensors", "--inputs", "in.safetensors", "--out", "out.safetensors");
        Assert.Equal(2, onnx.ExitCode);
        Assert.Equal("error: --weights is for specs; an ONNX model holds its own weights", onnx.ErrorLines[0]);
    }

    [Fact]
    public void Missing_spec_argument()
    {
        var result = Run("check");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: 'check' needs SPEC", result.ErrorLines[0]);
        Assert.Equal("usage: rnngraph check SPEC [--set KEY=VALUE]", result.ErrorLines[1]);
    }

    [Fact]
    public void Extra_argument()
    {
        var result = Run("check", "a.yaml", "b.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: unexpected argument 'b.yaml'", result.ErrorLines[0]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("")]
    public void Bad_steps_is_a_usage_error(string steps)
    {
        var result = Run("dump", Example("char-lstm.yaml"), "--steps", steps);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: --steps needs an integer >= 1, got '{steps}'", result.ErrorLines[0]);
        Assert.StartsWith("usage: rnngraph dump SPEC --steps T", result.ErrorLines[1]);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void Option_without_its_value()
    {
        var result = Run("dump", Example("char-lstm.yaml"), "--steps");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: option '--steps' needs a value: --steps T", result.ErrorLines[0]);
    }

    [Fact]
    public void Value_outside_the_choices()
    {
        var result = Run("dump", Example("char-lstm.yaml"), "--steps", "2", "--format", "png");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: option '--format' must be one of text, dot, svg, got 'png'", result.ErrorLines[0]);
    }

    [Fact]
    public void Bad_gradcheck_tolerance_is_a_usage_error()
    {
        var result = Run("gradcheck", Example("char-lstm.yaml"), "--tolerance", "tiny");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --tolerance needs a positive number, got 'tiny'", result.ErrorLines[0]);
    }
}
