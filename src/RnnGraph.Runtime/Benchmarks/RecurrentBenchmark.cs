using System.Diagnostics;
using System.Globalization;
using RnnGraph.Compiler;
using RnnGraph.Compiler.Analysis;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Benchmarks;

/// <summary>One benchmark configuration: a recurrent layer and a dense head to one output at every step.</summary>
public sealed record BenchConfig(string Cell, int Input, int Hidden, int Batch, int Steps, int Layers, bool Bidirectional)
{
    /// <summary>The model as spec text.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture, $$"""
        model:
          inputs:
            x: { size: {{Input}} }
          layers:
            - rnn: { cell: {{Cell}}, hidden: {{Hidden}}, layers: {{Layers}}, bidirectional: {{(Bidirectional ? "true" : "false")}} }
            - dense: { units: 1 }
        """);
}

/// <summary>What one benchmark measured (the <c>rnngraph bench --json</c> CONTRACT fields and more).</summary>
public sealed record BenchResult(string Mode, double MedianMs, double MinMs, IReadOnlyList<double> TimesMs, double Gflops, long AllocatedBytesPerStep,
    double PeakRssMb, double FirstCallMs, int WarmupCalls, long Parameters, long FlopsPerStep, double Loss)
{
    /// <summary>Time per step by kind of kernel (most expensive first) when the benchmark was asked to profile.</summary>
    public IReadOnlyList<Execution.KernelTime>? Profile { get; init; }

    /// <summary>
    /// Lanes the step's executor planned (2 when given threads and the graph has the parallel work), the lanes the
    /// timed steps used (measured: 2 only where two ran faster), and the speedup the cost model predicted for two.
    /// </summary>
    public int PlannedLanes { get; init; } = 1;

    public int Lanes { get; init; } = 1;

    /// <summary>The executor's trial of one lane against two: median ms of each (NaN without a two-lane plan).</summary>
    public (double OneLaneMs, double TwoLanesMs) LaneTrialMs { get; init; } = (double.NaN, double.NaN);

    public double PredictedSpeedup { get; init; } = 1;

    /// <summary>
    /// The phases of compiling the graph and planning its executor during the first call, in the order they ran
    /// (unroll, loss, autodiff, each optimizing pass, executor); the rest of <see cref="FirstCallMs"/> is the first run.
    /// </summary>
    public IReadOnlyList<CompilePhase> CompilePhases { get; init; } = [];

    /// <summary>Milliseconds of the first call spent compiling and planning (the sum of <see cref="CompilePhases"/>).</summary>
    public double CompileMs => CompilePhases.Sum(p => p.Milliseconds);
}

/// <summary>
/// The benchmark of the performance work: "train" is one training step as <see cref="Trainer.Step"/> runs it (forward of
/// the recurrent layer and the head, loss = mean of the squared outputs, backward, an SGD update) and "infer" the
/// forward pass (<see cref="Trainer.Loss(TrainingBatch)"/>), on random inputs in [-1, 1) with PyTorch's initialization.
/// GFLOP/s counts the executed graph's FLOPs (<see cref="OpCost"/>: multiply-adds as 2) over the median time.
/// </summary>
public static class RecurrentBenchmark
{
    private const double LearningRate = 0.01;

    /// <summary>Warmup calls made however short <c>warmupSeconds</c> is (unless it is 0), unless they take longer than <see cref="MaxWarmupSeconds"/>.</summary>
    private const int MinWarmupCalls = 200;

    private const double MaxWarmupSeconds = 10;

    /// <summary>Steps run after the timed ones to count the bytes a step allocates in steady state.</summary>
    private const int AllocationSteps = 2;

    /// <param name="warmupSeconds">
    /// Warmup continues past <paramref name="warmup"/> calls until this much time has passed after the first call: the
    /// JIT's tiered compilation needs many calls before the kernels run fully optimized code.
    /// </param>
    /// <param name="threads">Threads a step may use (<see cref="TrainerOptions.Threads"/>; GEMM splitting is the caller's <see cref="Kernels.GemmThreading"/>).</param>
    /// <param name="profileSteps">After the timing, this many more steps with every kernel timed (<see cref="BenchResult.Profile"/>); 0: none.</param>
    /// <param name="recomputeEvery">Checkpointed BPTT in segments of this many steps (<see cref="TrainerOptions.RecomputeEvery"/>); null for off.</param>
    /// <param name="fusion">Off: leave out the elementwise-fusion pass, to see what it gains.</param>
    public static BenchResult Run(BenchConfig config, string mode, int warmup = 2, double warmupSeconds = 1.0, int repeat = 5, int seed = 1, int profileSteps = 0,
                                  int? recomputeEvery = null, bool fusion = true, int threads = 1)
    {
        var compilation = Compilation.Create(new SourceText("bench.yaml", config.ToSpec()));
        if (compilation.HasErrors || compilation.Model is null)
            throw new ArgumentException("the configuration does not compile: " + compilation.Diagnostics.First(), nameof(config));
        compilation.ElementwiseFusion = fusion;
        bool train = mode == "train";
        var optimizer = new SgdOptimizer();
        // Refused before the weights are allocated or the steps unrolled (with recompute, the graph is one segment's).
        int graphSteps = recomputeEvery is { } every && config.Steps > every ? every : config.Steps;
        Trainer.EstimateStep(compilation, LossKind.MeanSquaredError, graphSteps, config.Batch, optimizer, train)
            .Check(MemoryLimit.Current, "lower --hidden, --batch or --steps, or " + MemoryEstimate.RaiseLimit);
        var parameters = ParameterInitializer.PyTorchDefaults(compilation.Model, seed);
        var timings = new CompileTimings();
        compilation.Timings = timings;
        var trainer = new Trainer(compilation, parameters, optimizer, new TrainerOptions(LossKind.MeanSquaredError, Threads: threads) { RecomputeEvery = recomputeEvery });
        var batch = RandomBatch(config, new Random(seed + 1));
        Func<double> step = train ? () => trainer.Step(batch, LearningRate) : () => trainer.Loss(batch);

        long start = Stopwatch.GetTimestamp();
        double loss = step();
        double firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        compilation.Timings = null;
        long warm = Stopwatch.GetTimestamp();
        int warmupCalls = 1;
        // At least MinWarmupCalls calls as well (within MaxWarmupSeconds): the JIT recompiles a method with its profile
        // only after some 30 calls, and a fast step (B=1 latency) ran 4x slower after 0.5 s than after 1 s.
        while (warmupCalls < warmup || Stopwatch.GetElapsedTime(warm).TotalSeconds < warmupSeconds
               || (warmupSeconds > 0 && warmupCalls < MinWarmupCalls && Stopwatch.GetElapsedTime(warm).TotalSeconds < MaxWarmupSeconds))
        {
            step();
            warmupCalls++;
        }
        // With threads, then until the executor has timed one lane against two on warm kernels and chosen (Executor.LanesInUse).
        var executor = trainer.ExecutorOf(batch, withBackward: train);
        executor.RemeasureLanes();
        for (; !executor.LanesSettled; warmupCalls++) step();
        var times = Timing.Measure(() => loss = step(), 0, repeat);
        // Allocation of the steps alone (the timing's delegate and array would count otherwise).
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < AllocationSteps; i++) step();
        long allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / AllocationSteps;

        IReadOnlyList<Execution.KernelTime>? profile = null;
        if (profileSteps > 0)
        {
            executor.StartProfiling();
            for (int i = 0; i < profileSteps; i++) step();
            profile = executor.StopProfiling();
        }

        // With recompute the step runs several segment graphs (never one of all T steps): their FLOPs times their runs.
        long flops = trainer.GraphsRunFor(batch, withBackward: train).Sum(g => g.Runs * g.Graph.Nodes.Sum(n => OpCost.Flops(n, batch.Batch)));
        double median = Timing.Median(times);
        return new BenchResult(mode, median, times.Min(), times, flops / (median * 1e6), allocated, Timing.PeakResidentMegabytes(),
            firstMs, warmupCalls, parameters.Sum(p => (long)p.Length), flops, loss)
        {
            Profile = profile,
            LaneTrialMs = executor.LaneTrialMs,
            PlannedLanes = executor.Lanes,
            Lanes = executor.LanesInUse,
            PredictedSpeedup = executor.PredictedSpeedup,
            CompilePhases = timings.Phases,
        };
    }

    /// <summary>Inputs [T,B,I] uniform in [-1, 1) and zero targets [T,B,1], so the MSE loss is the mean of the squared outputs.</summary>
    private static TrainingBatch RandomBatch(BenchConfig config, Random random)
    {
        var inputs = new float[config.Steps * config.Batch * config.Input];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 2 - 1);
        return new TrainingBatch(config.Steps, config.Batch, inputs, new float[config.Steps * config.Batch]);
    }
}
