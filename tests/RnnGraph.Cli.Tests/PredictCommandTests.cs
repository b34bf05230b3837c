using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph predict</c> on a trained hello run folder.</summary>
public sealed class PredictCommandTests
{
    [Fact]
    public void Predict_scores_the_text_and_lists_o_after_hell()
    {
        using var temp = new TempFolder();
        string folder = Path.Combine(temp.Path, "hello");
        Assert.Equal(0, Run("run", Example("hello.yaml"), "--out", folder).ExitCode);

        var result = Run("predict", folder, "--input", "hell", "--top", "2");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("5 tokens scored: log-likelihood ", lines[0]);
        Assert.Equal("next:", lines[1]);
        Assert.StartsWith("  o ", lines[2]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void Predict_needs_an_input_and_a_run_folder()
    {
        Assert.Equal(2, Run("predict", "somewhere").ExitCode);
        var missing = Run("predict", "no-such-run-folder", "--input", "x");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("error: run folder 'no-such-run-folder' does not exist", Assert.Single(missing.ErrorLines));
    }
}
