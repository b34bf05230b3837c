using System.Diagnostics;
using System.Text.Json.Nodes;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Bench;

/// <summary>
/// Times one configuration the way training runs it: <see cref="Trainer.Step"/> (forward, MSE loss, backward,
/// SGD update) for "train" and <see cref="Trainer.Loss(TrainingBatch)"/> (forward-only graph) for "infer".
/// </summary>
public static class RecurrentBenchmark
{
    private const double LearningRate = 0.01;

    /// <param name="warmupSeconds">
    /// Warmup continues past <paramref name="warmup"/> calls until this much time has passed after the first call: the JIT's tiered
    /// compilation needs many calls before the kernels run optimized code, and a training run is long.
    /// </param>
    public static JsonObject Run(RecurrentConfig config, int warmup, double warmupSeconds, int repeat, int seed)
    {
        var compilation = Compilation.Create(new SourceText($"bench-{config.Id}.yaml", config.ToSpec()));
        if (compilation.HasErrors || compilation.Model is null)
            throw new InvalidOperationException($"config {config.Id}: the spec has errors:\n{string.Join("\n", compilation.Diagnostics)}");
        var parameters = ParameterInitializer.PyTorchDefaults(compilation.Model, seed);
        var trainer = new Trainer(compilation, parameters, new SgdOptimizer(), new TrainerOptions(LossKind.MeanSquaredError));
        var batch = RandomBatch(config, new Random(seed + 1));

        var result = new JsonObject
        {
            ["id"] = config.Id,
            ["name"] = config.Name,
            ["runtime"] = "rnngraph",
            ["threads"] = 1,
            ["parameters"] = parameters.Sum(p => (long)p.Length),
        };
        if (config.Modes.Contains("train"))
        {
            result["train"] = Measure(() => trainer.Step(batch, LearningRate), warmup, warmupSeconds, repeat);
            // The process's peak so far: graph compilation, executor planning and the timed train steps.
            result["peak_working_set_mb"] = PeakWorkingSetMegabytes();
        }
        if (config.Modes.Contains("infer"))
        {
            result["infer"] = Measure(() => trainer.Loss(batch), warmup, warmupSeconds, repeat);
            if (!config.Modes.Contains("train")) result["peak_working_set_mb"] = PeakWorkingSetMegabytes();
        }
        return result;
    }

    /// <summary>
    /// The warmup calls, the first timed on its own (it compiles the graph and plans the executor), then the timed
    /// calls with the bytes they allocate (the allocation of the whole call: copying data in, running, copying out).
    /// </summary>
    private static JsonObject Measure(Func<double> step, int warmup, double warmupSeconds, int repeat)
    {
        long start = Stopwatch.GetTimestamp();
        double loss = step();
        double firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        long warm = Stopwatch.GetTimestamp();
        int warmupCalls = 1;
        for (; warmupCalls < warmup || Stopwatch.GetElapsedTime(warm).TotalSeconds < warmupSeconds; warmupCalls++) step();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var times = Timing.Measure(() => step(), 0, repeat);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return new JsonObject
        {
            ["median_ms"] = Math.Round(Timing.Median(times), 3),
            ["min_ms"] = Math.Round(times.Min(), 3),
            ["times_ms"] = new JsonArray([.. times.Select(t => (JsonNode)Math.Round(t, 3))]),
            ["first_call_ms"] = Math.Round(firstMs, 1),
            ["warmup_calls"] = warmupCalls,
            ["allocated_bytes_per_call"] = allocated / repeat,
            ["loss"] = loss,
        };
    }

    private static double PeakWorkingSetMegabytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return Math.Round(process.PeakWorkingSet64 / (1024.0 * 1024.0), 1);
    }

    /// <summary>Inputs [T,B,I] and targets [T,B,O], uniform in [-1, 1), time-major as <see cref="TrainingBatch"/> wants.</summary>
    private static TrainingBatch RandomBatch(RecurrentConfig config, Random random)
    {
        var inputs = new float[config.Steps * config.Batch * config.Input];
        var targets = new float[config.Steps * config.Batch * config.Outputs];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 2 - 1);
        for (int i = 0; i < targets.Length; i++) targets[i] = (float)(random.NextDouble() * 2 - 1);
        return new TrainingBatch(config.Steps, config.Batch, inputs, targets);
    }
}
