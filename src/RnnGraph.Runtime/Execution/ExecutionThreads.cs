namespace RnnGraph.Runtime.Execution;

/// <summary>The thread count a run uses when none is given (<c>--threads</c>).</summary>
public static class ExecutionThreads
{
    /// <summary>
    /// Two where the machine has two logical CPUs or more, else one. Measured on the 2-vCPU machine the project is
    /// benchmarked on (bench/RESULTS.md, docs/performance.md "Threads"): where the graph has independent chains (the
    /// bidirectional GRU, config 3) two lanes took 0.61 of the one-thread time in training and 0.67 in inference in
    /// every round; elsewhere no second lane is planned and two threads run exactly the one-thread code. An executor
    /// still times one lane against two before it keeps two (<see cref="Executor{T}.LanesInUse"/>), so a loaded machine
    /// falls back to one.
    /// </summary>
    public static int Default { get; } = Math.Min(2, Environment.ProcessorCount);
}
