using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RnnGraph.Runtime.Benchmarks;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Cli.Commands;

/// <summary>
/// <c>rnngraph bench</c>: times one recurrent configuration (the performance CONTRACT in DESIGN.md / issue 5), or the
/// float32 GEMM kernel on a few shapes with <c>--gemm</c>. bench/compare.sh runs it beside PyTorch.
/// </summary>
public sealed class BenchCommand : ICommand
{
    public CommandSpec Spec { get; } = new("bench", "Time a recurrent layer with a linear head (train or infer), or the GEMM kernel; median of the timed runs.",
        [],
        [
            new OptionSpec("--cell", "CELL", "rnn_tanh | rnn_relu | gru | lstm", Choices: ["rnn_tanh", "rnn_relu", "gru", "lstm"]),
            new OptionSpec("--input", "I", "input size"),
            new OptionSpec("--hidden", "H", "hidden size"),
            new OptionSpec("--batch", "B", "batch size"),
            new OptionSpec("--steps", "T", "sequence length"),
            new OptionSpec("--layers", "L", "stacked layers (default 1)"),
            new OptionSpec("--bidirectional", null, "two directions"),
            new OptionSpec("--mode", "MODE", "train (forward, backward, SGD step) or infer (forward); default train", Choices: ["train", "infer"]),
            new OptionSpec("--recompute-every", "K", "checkpointed BPTT: train in segments of K steps, recomputing each in the backward pass (memory ~ T/K + K steps)"),
            new OptionSpec("--threads", "N", "threads a step may use (default 2, or 1 on a one-CPU machine): 2 plans independent chains (the directions of a bidirectional layer, stacked layers) on two lanes when the graph has enough parallel work, and keeps two lanes only where they measure faster than one"),
            new OptionSpec("--repeat", "K", "timed runs (default 5)"),
            new OptionSpec("--warmup-seconds", "S", "warm up at least this long after the first call, and at least 200 calls unless they take over 10 s (default 1; 0: no warmup)"),
            new OptionSpec("--gemm", null, "time MatMulKernel<float> on the benchmark's GEMM shapes instead (with --threads: products split by columns)"),
            new OptionSpec("--no-fusion", null, "leave out the elementwise-fusion pass (to see what it gains)"),
            new OptionSpec("--profile", null, "then time every kernel over 10 more steps and print where a step's time goes (JSON: \"profile\")"),
            new OptionSpec("--json", null, "print one JSON object instead of text"),
            OptionSpec.MemoryLimit,
        ],
        "train = forward of the recurrent layer and a dense head to one output at every step, loss = mean of the squared\n" +
        "outputs, backward, an SGD update; infer = the forward pass. Random inputs, PyTorch's initialization. Reported:\n" +
        "median_ms, min_ms, gflops (the executed graph's FLOPs, multiply-add = 2, over the median), allocated_bytes_per_step\n" +
        "(managed bytes allocated per timed call), peak_rss_mb (the process's peak resident memory, compilation included),\n" +
        "first_call_ms = compile_ms (unrolling, autodiff, the optimizing passes and the executor's plan; by phase in\n" +
        "compile_phases) + first_run_ms (the first run, the JIT compiling the kernels included).");

    private const int ProfileSteps = 10;

    /// <summary>The profile as a table: kernel kind, calls per step, ms per step, share of the timed total.</summary>
    private static void WriteProfile(TextWriter output, IReadOnlyList<Runtime.Execution.KernelTime> profile)
    {
        double total = profile.Sum(k => k.MillisecondsPerRun);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"profile ({ProfileSteps} steps, every kernel timed; {total:0.000} ms per step in kernels):"));
        int width = Math.Max(6, profile.Max(k => k.Label.Length));
        output.WriteLine($"  {"kernel".PadRight(width)}  {"calls",6}  {"ms/step",9}  {"share",6}");
        foreach (var k in profile)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {k.Label.PadRight(width)}  {k.Calls,6}  {k.MillisecondsPerRun,9:0.000}  {100 * k.MillisecondsPerRun / total,5:0.0}%"));
    }

    public int Execute(ParsedArguments args, CliContext context)
    {
        int threads = args.IntOption("--threads", ExecutionThreads.Default, 1);
        int repeat = args.IntOption("--repeat", 5, 1);
        double warmupSeconds = 1.0;
        if (args.Option("--warmup-seconds") is { } w && (!double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out warmupSeconds) || warmupSeconds < 0))
            throw new UsageException($"--warmup-seconds needs a number >= 0, got '{w}'");
        bool json = args.Flags.Contains("--json");
        var compact = new JsonSerializerOptions { WriteIndented = false };

        if (args.Flags.Contains("--gemm"))
        {
            // --threads here lets each product split its columns across threads (GemmThreading), the one place it is on.
            Runtime.Kernels.GemmThreading.MaxThreads = threads;
            var gemm = GemmBenchmark.Run(repeat, Math.Max(0.05, warmupSeconds / 5));
            if (json) context.Out.WriteLine(new JsonObject { ["runtime"] = "rnngraph", ["threads"] = threads, ["gemm"] = gemm }.ToJsonString(compact));
            else
                foreach (var g in gemm)
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(string)g!["shape"]!,-22} {(double)g["median_ms"]!,10:0.000} ms {(double)g["gflops"]!,8:0.00} GFLOP/s"));
            return 0;
        }

        foreach (string required in new[] { "--cell", "--input", "--hidden", "--batch", "--steps" })
            if (args.Option(required) is null) throw new UsageException($"missing {required} (or use --gemm)");
        var config = new BenchConfig(args.Option("--cell")!, args.IntOption("--input", 1, 1), args.IntOption("--hidden", 1, 1),
            args.IntOption("--batch", 1, 1), args.IntOption("--steps", 1, 1), args.IntOption("--layers", 1, 1), args.Flags.Contains("--bidirectional"));
        string mode = args.Option("--mode") ?? "train";
        int? recomputeEvery = args.Option("--recompute-every") is null ? null : args.IntOption("--recompute-every", 1, 1);
        if (recomputeEvery is not null && config.Bidirectional)
            throw new UsageException("--recompute-every runs the steps in segments from the first one on, so it cannot train a bidirectional layer");
        if (recomputeEvery is not null && args.Flags.Contains("--profile"))
            throw new UsageException("--profile times one graph's kernels; with --recompute-every a step runs several segment graphs, so leave one of them out");
        var r = RecurrentBenchmark.Run(config, mode, warmupSeconds: warmupSeconds, repeat: repeat, profileSteps: args.Flags.Contains("--profile") ? ProfileSteps : 0,
            recomputeEvery: recomputeEvery, fusion: !args.Flags.Contains("--no-fusion"), threads: threads);
        if (json)
        {
            context.Out.WriteLine(new JsonObject
            {
                ["runtime"] = "rnngraph",
                ["cell"] = config.Cell,
                ["input"] = config.Input,
                ["hidden"] = config.Hidden,
                ["batch"] = config.Batch,
                ["steps"] = config.Steps,
                ["layers"] = config.Layers,
                ["bidirectional"] = config.Bidirectional,
                ["mode"] = mode,
                ["recompute_every"] = recomputeEvery,
                ["threads"] = threads,
                ["fusion"] = !args.Flags.Contains("--no-fusion"),
                ["planned_lanes"] = r.PlannedLanes,
                ["lanes"] = r.Lanes,
                ["predicted_speedup"] = Math.Round(r.PredictedSpeedup, 3),
                ["lane_trial_ms"] = double.IsNaN(r.LaneTrialMs.OneLaneMs) ? null : new JsonObject
                {
                    ["one"] = Math.Round(r.LaneTrialMs.OneLaneMs, 3),
                    ["two"] = Math.Round(r.LaneTrialMs.TwoLanesMs, 3),
                },
                ["median_ms"] = Math.Round(r.MedianMs, 3),
                ["min_ms"] = Math.Round(r.MinMs, 3),
                ["times_ms"] = new JsonArray([.. r.TimesMs.Select(t => (JsonNode)Math.Round(t, 3))]),
                ["gflops"] = Math.Round(r.Gflops, 2),
                ["flops_per_step"] = r.FlopsPerStep,
                ["allocated_bytes_per_step"] = r.AllocatedBytesPerStep,
                ["peak_rss_mb"] = r.PeakRssMb,
                ["first_call_ms"] = Math.Round(r.FirstCallMs, 1),
                ["compile_ms"] = Math.Round(r.CompileMs, 1),
                ["first_run_ms"] = Math.Round(r.FirstCallMs - r.CompileMs, 1),
                ["compile_phases"] = new JsonArray([.. r.CompilePhases.Select(p => (JsonNode)new JsonObject
                {
                    ["phase"] = p.Name,
                    ["ms"] = Math.Round(p.Milliseconds, 1),
                    ["cpu_ms"] = p.CpuMilliseconds is { } cpu ? Math.Round(cpu, 1) : null,
                    ["allocated_mb"] = Math.Round(p.AllocatedBytes / (1024.0 * 1024.0), 1),
                    ["nodes"] = p.Nodes < 0 ? null : p.Nodes,
                })]),
                ["warmup_calls"] = r.WarmupCalls,
                ["parameters"] = r.Parameters,
                ["loss"] = r.Loss,
                ["profile"] = r.Profile is null ? null : new JsonArray([.. r.Profile.Select(k => (JsonNode)new JsonObject
                {
                    ["kernel"] = k.Label,
                    ["calls"] = k.Calls,
                    ["ms"] = Math.Round(k.MillisecondsPerRun, 4),
                })]),
            }.ToJsonString(compact));
        }
        else
        {
            string trial = double.IsNaN(r.LaneTrialMs.OneLaneMs) ? ""
                : string.Create(CultureInfo.InvariantCulture, $" (trial: one lane {r.LaneTrialMs.OneLaneMs:0.000} ms, two {r.LaneTrialMs.TwoLanesMs:0.000} ms)");
            string lanes = threads > 1
                ? string.Create(CultureInfo.InvariantCulture, $"; {threads} threads: {r.PlannedLanes} lane{(r.PlannedLanes > 1 ? "s" : "")} planned (two predicted {r.PredictedSpeedup:0.00}× faster), {r.Lanes} used{trial}")
                : "";
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{config.Cell} I={config.Input} H={config.Hidden} B={config.Batch} T={config.Steps} L={config.Layers}{(config.Bidirectional ? " bidirectional" : "")}{(recomputeEvery is { } k ? $" recompute every {k}" : "")} {mode}: " +
                $"median {r.MedianMs:0.000} ms (min {r.MinMs:0.000}), {r.Gflops:0.00} GFLOP/s, {r.AllocatedBytesPerStep} bytes allocated per step, " +
                $"peak RSS {r.PeakRssMb:0.0} MB, first call {r.FirstCallMs:0} ms{lanes}"));
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"first call = compile {r.CompileMs:0} ms ({string.Join(", ", r.CompilePhases.Select(p => $"{p.Name} {p.Milliseconds:0}"))}) + first run {r.FirstCallMs - r.CompileMs:0} ms"));
            if (r.Profile is { } profile) WriteProfile(context.Out, profile);
        }
        return 0;
    }
}
