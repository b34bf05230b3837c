using System.Runtime.InteropServices;

namespace RnnGraph.Compiler.Analysis;

/// <summary>
/// CPU time used by the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>): unlike wall time, it does not grow while
/// the thread waits for a core that other processes hold. Null where the clock is not available.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private static bool s_unavailable = !OperatingSystem.IsLinux() || !Environment.Is64BitProcess;

    /// <summary>The calling thread's CPU time in milliseconds, or null.</summary>
    public static double? Milliseconds()
    {
        if (s_unavailable) return null;
        try
        {
            if (ClockGetTime(ThreadCpuTimeId, out var t) == 0) return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
        s_unavailable = true;
        return null;
    }
}
