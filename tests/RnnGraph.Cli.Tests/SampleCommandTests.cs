using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph sample</c> end to end on a run folder that <c>rnngraph run</c> wrote for the hello example.</summary>
public sealed class SampleCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _run;

    public SampleCommandTests()
    {
        _run = Path.Combine(_temp.Path, "hello");
        Assert.Equal(0, CommandLineApp.Run(["run", Example("hello.yaml"), "--out", _run], TextWriter.Null, TextWriter.Null));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Greedy_sampling_spells_hello()
    {
        var result = Run("sample", _run, "--top-k", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Equal("hello\nhello\nhello\n", result.Out);
    }

    [Fact]
    public void The_defaults_reproduce_the_runs_samples()
    {
        var result = Run("sample", _run);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(_run, "samples.txt")), result.Out);
    }

    [Fact]
    public void Options_set_count_prefix_length_temperature_and_seed()
    {
        var result = Run("sample", _run, "--count", "5", "--prefix", "he", "--max-length", "3", "--temperature", "0.2", "--seed", "9", "--top-k", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Enumerable.Repeat("hel", 5), result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void An_interrupted_run_samples_from_its_checkpoint()
    {
        File.Delete(Path.Combine(_run, "weights.safetensors"));

        var result = Run("sample", _run, "--top-k", "1", "--count", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("hello\n", result.Out);
    }

    [Fact]
    public void A_missing_run_folder_is_a_one_line_error()
    {
        string missing = Path.Combine(_temp.Path, "nope");

        var result = Run("sample", missing);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"error: run folder '{missing}' does not exist"], result.ErrorLines);
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("spec.yaml")]
    [InlineData("vocab.json")]
    public void A_folder_missing_a_file_is_a_one_line_error(string file)
    {
        File.Delete(Path.Combine(_run, file));

        var result = Run("sample", _run);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(file, line);
    }

    [Fact]
    public void A_corrupt_weights_file_is_a_one_line_error()
    {
        File.WriteAllText(Path.Combine(_run, "weights.safetensors"), "not safetensors");

        var result = Run("sample", _run);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("--temperature", "0")]
    [InlineData("--temperature", "hot")]
    [InlineData("--top-k", "0")]
    [InlineData("--count", "-1")]
    public void Bad_option_values_are_usage_errors(string option, string value)
    {
        var result = Run("sample", _run, option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {option} needs", result.ErrorLines[0]);
    }
}
