using System.Diagnostics;

namespace RnnGraph.Bench;

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

    public static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
