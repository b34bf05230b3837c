using System.Text.Json;

namespace RnnGraph.Cli.Tests;

/// <summary>The <c>rnngraph bench</c> CONTRACT: one JSON object with the agreed fields.</summary>
public sealed class BenchCommandTests
{
    [Theory]
    [InlineData("train")]
    [InlineData("infer")]
    public void Bench_prints_one_json_object_with_the_contract_fields(string mode)
    {
        var result = CliRunner.Run("bench", "--cell", "lstm", "--input", "4", "--hidden", "8", "--batch", "2", "--steps", "3", "--layers", "2",
                                   "--bidirectional", "--mode", mode, "--repeat", "3", "--warmup-seconds", "0", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        var json = JsonDocument.Parse(result.Out).RootElement;
        foreach (string field in new[] { "median_ms", "min_ms", "gflops", "allocated_bytes_per_step", "peak_rss_mb" })
            Assert.True(json.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number, $"missing number '{field}' in {result.Out}");
        Assert.True(json.GetProperty("median_ms").GetDouble() >= json.GetProperty("min_ms").GetDouble());
        Assert.True(json.GetProperty("gflops").GetDouble() > 0);
        Assert.Equal(3, json.GetProperty("times_ms").GetArrayLength());
        Assert.Equal(mode, json.GetProperty("mode").GetString());
        // An LSTM of 2 bidirectional layers (4→8, then 16→8) and a head to one output, PyTorch's parameter count.
        Assert.Equal(2 * (4 * 8 * (4 + 8) + 8 * 8) + 2 * (4 * 8 * (16 + 8) + 8 * 8) + 16 + 1, json.GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void Bench_gemm_reports_every_shape()
    {
        var result = CliRunner.Run("bench", "--gemm", "--repeat", "1", "--warmup-seconds", "0", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        var gemm = JsonDocument.Parse(result.Out).RootElement.GetProperty("gemm");
        Assert.Equal(RnnGraph.Runtime.Benchmarks.GemmBenchmark.Shapes.Select(s => $"{s.M}x{s.N}x{s.K} {s.Variant}"),
            gemm.EnumerateArray().Select(g => g.GetProperty("shape").GetString()));
        Assert.Contains(gemm.EnumerateArray(), g => g.GetProperty("shape").GetString() == "512x512x512 TT");
        Assert.All(gemm.EnumerateArray(), g => Assert.True(g.GetProperty("gflops").GetDouble() > 0));
    }

    [Fact]
    public void A_missing_size_is_a_usage_error()
    {
        var result = CliRunner.Run("bench", "--cell", "gru", "--input", "4");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing --hidden (or use --gemm)", result.Error);
    }
}
