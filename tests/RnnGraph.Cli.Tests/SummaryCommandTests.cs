using System.Text.Json;
using RnnGraph.Cli.Commands;
using RnnGraph.TestSupport;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph summary</c>: the table of an example as a snapshot, every example, JSON, and a broken spec.</summary>
public sealed class SummaryCommandTests
{
    public static TheoryData<string> Examples => ExampleNames();

    [Fact]
    public void Char_lstm_summary_matches_its_snapshot()
    {
        var result = Run("summary", Example("char-lstm.yaml"));

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Snapshot.Verify(result.Out);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_summarizes(string name)
    {
        var result = Run("summary", Example(name), "--steps", "4", "--batch", "2");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Contains("| total ", result.Out);
        Assert.Contains("T = 4", result.Out);
        // Plain text: no escape sequences, no trailing spaces.
        Assert.DoesNotContain('\u001b', result.Out);
        Assert.DoesNotContain(" \n", result.Out);
    }

    [Fact]
    public void Json_carries_exact_counts_that_agree_with_check()
    {
        string path = Example("spam.yaml");
        var result = Run("summary", path, "--format", "json", "--steps", "10", "--batch", "3");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(10, root.GetProperty("steps").GetInt32());
        Assert.Equal(3, root.GetProperty("batch").GetInt32());
        long weights = root.GetProperty("total").GetProperty("parameters").GetInt64();
        Assert.Contains($"{weights} weights", Run("check", path).Out);
        var pool = root.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "pool");
        Assert.Equal("[B,64]", pool.GetProperty("outputShape").GetString());
    }

    [Fact]
    public void Set_overrides_the_spec_before_counting()
    {
        var result = Run("summary", Example("char-lstm.yaml"), "--set", "model.layers.0.rnn.hidden=8", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var rnn = json.RootElement.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "rnn");
        // Two LSTM layers of 8: 4·8·(27+8) + 8·8 and 4·8·(8+8) + 8·8.
        Assert.Equal(4 * 8 * (27 + 8) + 64 + 4 * 8 * (8 + 8) + 64, rnn.GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void Spec_with_mistakes_prints_its_diagnostics_and_exits_1()
    {
        using var temp = new TempFolder();
        string path = temp.Write("broken.yaml", "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: lstn, hidden: 4 }\n");

        var result = Run("summary", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{path}(5,", result.Out);
        Assert.Contains("error RG", result.Out);
        Assert.DoesNotContain("| total", result.Out);
    }

    [Fact]
    public void Steps_below_one_are_a_usage_error() =>
        Assert.Equal(2, Run("summary", Example("char-lstm.yaml"), "--steps", "0").ExitCode);

    [Theory]
    [InlineData(0, "0")]
    [InlineData(999, "999")]
    [InlineData(1234, "1.23 K")]
    [InlineData(56_789, "56.8 K")]
    [InlineData(553_000, "553 K")]
    [InlineData(35_012_345, "35.0 M")]
    public void Counts_print_with_three_significant_digits(long value, string expected) =>
        Assert.Equal(expected, RnnGraph.Compiler.Analysis.SummaryFormat.Count(value));

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(4096, "4.00 KiB")]
    [InlineData(9_000_000, "8.58 MiB")]
    public void Bytes_print_in_binary_units(long value, string expected) =>
        Assert.Equal(expected, RnnGraph.Compiler.Analysis.SummaryFormat.Bytes(value));
}
