using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Runtime.Execution;

/// <summary>The thread count a command uses when not told (<c>--threads</c>), and how a count reaches the kernels.</summary>
public static class ExecutionThreads
{
    /// <summary>
    /// One. Measured on the 2-vCPU machine the project is benchmarked on (docs/performance.md, Threads), whose two
    /// hardware threads share about one core's floating-point throughput: a second thread wins on no benchmark
    /// configuration by more than the run-to-run noise, so the default takes no thread it cannot use.
    /// </summary>
    public const int Default = 1;

    /// <summary>Lets one product split across up to <paramref name="threads"/> threads (executors take their count per instance).</summary>
    public static void ApplyToKernels(int threads) => GemmThreading.MaxThreads = threads;
}
