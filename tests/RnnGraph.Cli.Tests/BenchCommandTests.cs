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

    /// <summary>--recompute-every trains in segments: the same steps reach the same loss as full BPTT (up to float rounding).</summary>
    [Fact]
    public void Bench_recompute_every_reaches_the_loss_of_full_bptt()
    {
        string[] config = ["bench", "--cell", "gru", "--input", "4", "--hidden", "8", "--batch", "2", "--steps", "11", "--repeat", "2", "--warmup-seconds", "0", "--json"];
        var full = CliRunner.Run(config);
        var recompute = CliRunner.Run([.. config, "--recompute-every", "3"]);

        Assert.True(full.ExitCode == 0, full.Error);
        Assert.True(recompute.ExitCode == 0, recompute.Error);
        var a = JsonDocument.Parse(full.Out).RootElement;
        var b = JsonDocument.Parse(recompute.Out).RootElement;
        Assert.Equal(3, b.GetProperty("recompute_every").GetInt32());
        Assert.Equal(JsonValueKind.Null, a.GetProperty("recompute_every").ValueKind);
        double expected = a.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(b.GetProperty("loss").GetDouble() - expected) <= 1e-5 * Math.Abs(expected), $"{recompute.Out} vs {full.Out}");
        // The segments recompute the forward pass of all but the last: more FLOPs than one whole graph.
        Assert.True(b.GetProperty("flops_per_step").GetInt64() > a.GetProperty("flops_per_step").GetInt64());
    }

    [Fact]
    public void Bench_recompute_every_refuses_a_bidirectional_layer()
    {
        var result = CliRunner.Run("bench", "--cell", "gru", "--input", "4", "--hidden", "8", "--batch", "2", "--steps", "5", "--bidirectional", "--recompute-every", "2");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--recompute-every runs the steps in segments from the first one on, so it cannot train a bidirectional layer", result.Error);
    }

    /// <summary>
    /// The first call splits into compiling (by phase, in the order the compiler runs them) and the first run; the
    /// phases are the stages and passes the compiler names, their times are not negative and add up to compile_ms.
    /// </summary>
    [Theory]
    [InlineData("train")]
    [InlineData("infer")]
    public void Bench_reports_the_compile_phases_of_the_first_call(string mode)
    {
        var result = CliRunner.Run("bench", "--cell", "gru", "--input", "4", "--hidden", "8", "--batch", "2", "--steps", "5",
                                   "--mode", mode, "--repeat", "1", "--warmup-seconds", "0", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        var json = JsonDocument.Parse(result.Out).RootElement;
        var phases = json.GetProperty("compile_phases").EnumerateArray().ToList();
        string[] passes = [.. RnnGraph.Compiler.Compilation.OptimizingPasses().Select(p => p.Name)];
        // A graph of at most 16 steps is compiled first and then measured by the resource guard (MemoryEstimate).
        string[] expected = mode == "train" ? ["unroll", "loss", "autodiff", .. passes, "memory-estimate", "executor"] : ["unroll", "loss", .. passes, "memory-estimate", "executor"];
        // Debug builds verify the graph after each stage ("verify" phases between them).
        Assert.Equal(expected, phases.Select(p => p.GetProperty("phase").GetString()).Where(p => p != "verify"));
        Assert.All(phases, p => Assert.True(p.GetProperty("ms").GetDouble() >= 0 && p.GetProperty("allocated_mb").GetDouble() >= 0, p.ToString()));
        Assert.All(phases.SkipLast(1).Where(p => p.GetProperty("phase").GetString() is not ("verify" or "memory-estimate")),
            p => Assert.True(p.GetProperty("nodes").GetInt32() > 0, p.ToString()));
        Assert.Equal(JsonValueKind.Null, phases[^1].GetProperty("nodes").ValueKind);

        double compile = json.GetProperty("compile_ms").GetDouble(), first = json.GetProperty("first_call_ms").GetDouble();
        Assert.Equal(compile, phases.Sum(p => p.GetProperty("ms").GetDouble()), 0.1 * phases.Count);
        Assert.True(compile <= first + 0.1, result.Out);
        Assert.Equal(first - compile, json.GetProperty("first_run_ms").GetDouble(), 0.15);

        var text = CliRunner.Run("bench", "--cell", "gru", "--input", "4", "--hidden", "8", "--batch", "2", "--steps", "5",
                                 "--mode", mode, "--repeat", "1", "--warmup-seconds", "0");
        Assert.True(text.ExitCode == 0, text.Error);
        Assert.Matches(@"first call = compile \d+ ms \(unroll \d+, .*loss \d+, .*executor \d+\) \+ first run \d+ ms", text.Out);
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
        // The cell's elementwise ops run fused: the gate sums [2,32], c and h [2,8] at each step.
        Assert.Contains("fused [2,32]", calls.Keys);
        Assert.Contains("fused [2,8]", calls.Keys);
        Assert.DoesNotContain("sigmoid", calls.Keys);

        var unfused = CliRunner.Run("bench", "--cell", "lstm", "--input", "4", "--hidden", "8", "--batch", "2", "--steps", "3",
                                    "--repeat", "1", "--warmup-seconds", "0", "--json", "--profile", "--no-fusion");
        Assert.True(unfused.ExitCode == 0, unfused.Error);
        var root = JsonDocument.Parse(unfused.Out).RootElement;
        Assert.False(root.GetProperty("fusion").GetBoolean());
        var kernels = root.GetProperty("profile").EnumerateArray().Select(k => k.GetProperty("kernel").GetString()).ToList();
        Assert.Contains("sigmoid", kernels);
        Assert.DoesNotContain(kernels, k => k!.StartsWith("fused", StringComparison.Ordinal));

        var text = CliRunner.Run("bench", "--cell", "gru", "--input", "4", "--hidden", "8", "--batch", "2", "--steps", "3",
                                 "--repeat", "1", "--warmup-seconds", "0", "--profile");
        Assert.True(text.ExitCode == 0, text.Error);
        Assert.Contains("profile (10 steps", text.Out);
        Assert.Contains("matmul [", text.Out);
    }
}
