using System.Diagnostics;

namespace RnnGraph.Runtime.Benchmarks;

/// <summary>Times an action: warmup runs first, then each timed run separately, reported as median and min.</summary>
public static class Timing
{
    public static double[] Measure(Action action, int warmup, int repeat)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[repeat];
        for (int i = 0; i < repeat; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return times;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The process's peak resident set so far, in MiB (VmHWM on Linux, the peak working set elsewhere).</summary>
    public static double PeakResidentMegabytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0, 1);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return Math.Round(process.PeakWorkingSet64 / (1024.0 * 1024.0), 1);
    }
}
