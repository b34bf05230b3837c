namespace RnnGraph.Runtime.Kernels;

/// <summary>
/// How many threads one float32 GEMM may use. One by default, so kernels run on the caller's thread unless a host opts
/// in (only <c>rnngraph bench --gemm --threads N</c> does: on the measured machine splitting made recurrent steps slower,
/// see docs/performance.md, Threads); products below <see cref="MinFlops"/>, and products inside a two-lane executor
/// run, always stay on one.
/// </summary>
public static class GemmThreading
{
    private static int maxThreads = 1;

    /// <summary>Upper bound on the column slices one product is split into (1 = single-threaded).</summary>
    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = Math.Max(1, value);
    }

    /// <summary>Set on the threads of a two-lane executor run: both threads are taken, so products there stay on one.</summary>
    [ThreadStatic] internal static bool InLane;

    /// <summary>Floating-point operations (2·m·n·k) below which splitting costs more than it saves.</summary>
    public static double MinFlops { get; set; } = 4e6;
}
