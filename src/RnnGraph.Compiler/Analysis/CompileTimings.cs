using System.Diagnostics;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Analysis;

/// <summary>
/// One measured compile phase: wall time, managed bytes allocated on the compiling thread, the node count of the
/// graph it produced (-1 when it produced none), and the compiling thread's CPU time (null where it cannot be read;
/// below the wall time when other processes held the cores).
/// </summary>
public sealed record CompilePhase(string Name, double Milliseconds, long AllocatedBytes, int Nodes = -1, double? CpuMilliseconds = null);

/// <summary>
/// Records how long each phase of turning a spec into a runnable graph takes (unroll, autodiff, each pass, the
/// executor's plan), in the order they ran, for <c>rnngraph bench</c>. Phases run on one thread and do not nest.
/// </summary>
public sealed class CompileTimings
{
    private readonly List<CompilePhase> _phases = [];

    public IReadOnlyList<CompilePhase> Phases => _phases;

    public double TotalMilliseconds => _phases.Sum(p => p.Milliseconds);

    public long TotalAllocatedBytes => _phases.Sum(p => p.AllocatedBytes);

    /// <summary>Runs <paramref name="work"/> and records it as <paramref name="phase"/>.</summary>
    public T Measure<T>(string phase, Func<T> work)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        double? cpu = ThreadCpuClock.Milliseconds();
        long start = Stopwatch.GetTimestamp();
        var result = work();
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        double? cpuMs = ThreadCpuClock.Milliseconds() - cpu;
        _phases.Add(new CompilePhase(phase, ms, GC.GetAllocatedBytesForCurrentThread() - allocated, result is Graph graph ? graph.Nodes.Count : -1, cpuMs));
        return result;
    }

    /// <summary>Runs <paramref name="work"/>, recording it when <paramref name="timings"/> is given.</summary>
    public static T Measure<T>(CompileTimings? timings, string phase, Func<T> work) => timings is null ? work() : timings.Measure(phase, work);
}
