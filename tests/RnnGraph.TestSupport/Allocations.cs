namespace RnnGraph.TestSupport;

/// <summary>Managed allocations of work on the calling thread, measured so the runtime's own one-off work does not count.</summary>
public static class Allocations
{
    /// <summary>
    /// The least of <paramref name="runs"/> measurements of the bytes <paramref name="work"/> allocates on this thread. An
    /// allocation the work makes shows in every run; the runtime's one-off work on the thread (the JIT switching a hot loop to
    /// its optimized code mid-run) shows in one at most, and was seen to fail single measurements in loaded test runs.
    /// </summary>
    public static long LeastOf(int runs, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        long least = long.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            work();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
