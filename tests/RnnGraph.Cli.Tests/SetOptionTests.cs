using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>--set KEY=VALUE</c> on the commands that read a spec.</summary>
public sealed class SetOptionTests
{
    [Fact]
    public void Check_reports_a_broken_override_at_the_replaced_text()
    {
        string path = Example("hello.yaml");
        var result = Run("check", path, "--set", "model.layers.0.rnn.hidden=abc");

        Assert.Equal(1, result.ExitCode);
        string first = result.Out.Split('\n')[0];
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(path)}\(10,38\): error RG0004: .*'hidden'.*abc", first);
        Assert.Contains("hidden: abc", result.Out);
    }

    [Fact]
    public void Check_accepts_good_overrides()
    {
        string path = Example("hello.yaml");
        var result = Run("check", path, "--set", "model.layers.0.rnn.hidden=32", "--set=training.epochs=2");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
    }

    [Fact]
    public void Check_reports_a_path_the_spec_lacks()
    {
        var result = Run("check", Example("hello.yaml"), "--set", "model.layers.7.rnn.hidden=32");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error RG0028: --set model.layers.7: the spec has 2 layers (indices 0-1)", result.Out);
    }

    [Fact]
    public void Run_trains_for_the_overridden_epochs_and_keeps_the_overridden_spec()
    {
        using var temp = new TempFolder();
        string folder = temp.File("run");
        var result = Run("run", Example("hello.yaml"), "--set", "training.epochs=3", "--out", folder);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Length);
        Assert.Contains("\n  epochs: 3\n", File.ReadAllText(Path.Combine(folder, "spec.yaml")).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_set_without_a_key_and_value_is_a_usage_error()
    {
        var result = Run("check", Example("hello.yaml"), "--set", "nokey");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--set needs KEY=VALUE, e.g. training.epochs=2; got 'nokey'", result.Error);
        Assert.Contains("usage: rnngraph check SPEC [--set KEY=VALUE]", result.Error);
    }
}
