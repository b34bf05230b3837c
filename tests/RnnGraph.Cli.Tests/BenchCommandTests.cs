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

    /// <summary>
    /// A bidirectional layer's directions are planned on two lanes at --threads 2, with the inference loss of one thread
    /// to the bit (train's loss follows a number of warmup steps that depends on timing; the trainer tests compare training).
    /// </summary>
    [Fact]
    public void Bench_with_two_threads_plans_two_lanes_and_computes_the_same_loss()
    {
        const string mode = "infer";
        JsonElement Bench(string threads)
        {
            var result = CliRunner.Run("bench", "--cell", "gru", "--input", "16", "--hidden", "32", "--batch", "8", "--steps", "12", "--layers", "2",
                                       "--bidirectional", "--mode", mode, "--threads", threads, "--repeat", "2", "--warmup-seconds", "0", "--json");
            Assert.True(result.ExitCode == 0, result.Error);
            return JsonDocument.Parse(result.Out).RootElement;
        }
        var one = Bench("1");
        var two = Bench("2");
        Assert.Equal(1, one.GetProperty("planned_lanes").GetInt32());
        Assert.Equal(1, one.GetProperty("lanes").GetInt32());
        Assert.Equal(2, two.GetProperty("planned_lanes").GetInt32());
        Assert.InRange(two.GetProperty("lanes").GetInt32(), 1, 2);
        Assert.Equal(2, two.GetProperty("threads").GetInt32());
        Assert.Equal(one.GetProperty("loss").GetDouble(), two.GetProperty("loss").GetDouble());
    }

    [Fact]
    public void Zero_threads_is_a_usage_error()
    {
        var result = CliRunner.Run("bench", "--cell", "gru", "--input", "4", "--hidden", "4", "--batch", "1", "--steps", "2", "--threads", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--threads", result.Error);
    }

    [Fact]
    public void A_missing_size_is_a_usage_error()
    {
        var result = CliRunner.Run("bench", "--cell", "gru", "--input", "4");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing --hidden (or use --gemm)", result.Error);
    }

    /// <summary>
    /// --profile: every kernel kind of the executed graph with its calls per step; the calls add up to the graph's
    /// instructions (a 3-step LSTM's recurrent product runs at steps 1 and 2 forward and backward), times are not negative.
    /// </summary>
    [Fact]
    public void Bench_profile_accounts_for_every_kernel()
    {
        var result = CliRunner.Run("bench", "--cell", "lstm", "--input", "4", "--hidden", "8", "--batch", "2", "--steps", "3",
                                   "--repeat", "1", "--warmup-seconds", "0", "--json", "--profile");

        Assert.True(result.ExitCode == 0, result.Error);
        var profile = JsonDocument.Parse(result.Out).RootElement.GetProperty("profile").EnumerateArray().ToList();
        Assert.All(profile, k => Assert.True(k.GetProperty("ms").GetDouble() >= 0));
        var calls = profile.ToDictionary(k => k.GetProperty("kernel").GetString()!, k => k.GetProperty("calls").GetInt32());
        Assert.Equal(2, calls["matmul [2,8]·[32,8]ᵀ"]);
        Assert.Equal(2, calls["matmul [2,32]·[32,8]"]);
        Assert.Contains("sigmoid", calls.Keys);

        var text = CliRunner.Run("bench", "--cell", "gru", "--input", "4", "--hidden", "8", "--batch", "2", "--steps", "3",
                                 "--repeat", "1", "--warmup-seconds", "0", "--profile");
        Assert.True(text.ExitCode == 0, text.Error);
        Assert.Contains("profile (10 steps", text.Out);
        Assert.Contains("matmul [", text.Out);
    }
}
