namespace RnnGraph.Runtime.Execution;

/// <summary>The thread count a command uses when not told (<c>--threads</c>).</summary>
public static class ExecutionThreads
{
    /// <summary>
    /// One. Measured on the 2-vCPU machine the project is benchmarked on (docs/performance.md, Threads), whose two
    /// hardware threads share about one core's floating-point throughput, a second thread made no benchmark
    /// configuration faster beyond the run-to-run noise, so the default takes no thread it cannot use. With more
    /// threads an executor still measures before it keeps two lanes (<see cref="Executor{T}.LanesInUse"/>).
    /// </summary>
    public const int Default = 1;
}
