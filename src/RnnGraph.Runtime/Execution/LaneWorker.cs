namespace RnnGraph.Runtime.Execution;

/// <summary>A run split in two lanes: lane 0 runs on the caller's thread, lane 1 on <see cref="LaneWorker"/>'s.</summary>
internal interface ILaneJob
{
    /// <summary>Runs one lane to its end; never throws (a failure is recorded by the job and ends the other lane's waits).</summary>
    void RunLane(int lane);
}

/// <summary>
/// The one background thread that runs the second lane of every two-lane run in the process. Started on first use and
/// parked between runs, so a run costs two event signals and no allocation. One run at a time: a run that finds the
/// worker busy (another executor on another thread) is told so and runs on one thread instead.
/// </summary>
internal static class LaneWorker
{
    private static readonly object StartGate = new();
    private static readonly ManualResetEventSlim Start = new(false, spinCount: 200);
    private static readonly ManualResetEventSlim Done = new(false, spinCount: 200);
    private static Thread? thread;
    private static ILaneJob? job;
    private static int busy;

    /// <summary>Runs lane 0 of <paramref name="work"/> here and lane 1 on the worker, and returns when both are done; false (nothing run) when the worker is busy.</summary>
    public static bool TryRun(ILaneJob work)
    {
        if (Interlocked.CompareExchange(ref busy, 1, 0) != 0) return false;
        try
        {
            EnsureStarted();
            job = work;
            Done.Reset();
            Start.Set();
            try { work.RunLane(0); }
            finally
            {
                Done.Wait();
                job = null;
            }
            return true;
        }
        finally { Volatile.Write(ref busy, 0); }
    }

    private static void EnsureStarted()
    {
        if (thread is not null) return;
        lock (StartGate)
        {
            if (thread is not null) return;
            var t = new Thread(Loop) { IsBackground = true, Name = "rnngraph lane 1" };
            t.Start();
            thread = t;
        }
    }

    private static void Loop()
    {
        while (true)
        {
            Start.Wait();
            Start.Reset();
            try { job?.RunLane(1); }
            finally { Done.Set(); }
        }
    }
}
