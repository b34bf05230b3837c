using System.Diagnostics;
using System.Globalization;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Runtime.Execution;

/// <summary>Where a run's time goes: per kernel kind, over the runs since profiling started.</summary>
/// <param name="Label">The op; matmuls with their operand shapes and transposes (<c>matmul [32,256]·[1024,256]ᵀ</c>), fused elementwise
/// programs with their result's shape (<c>fused [32,256]</c>).</param>
/// <param name="Calls">Instructions of this kind in one run.</param>
/// <param name="MillisecondsPerRun">Their total time per run.</param>
public sealed record KernelTime(string Label, int Calls, double MillisecondsPerRun);

public sealed partial class Executor<T>
{
    private long[]? _profile;
    private int _profiledRuns;
    private long _packTicks;

    /// <summary>Starts timing every instruction of the following runs (a clock read around each; off by default).</summary>
    public void StartProfiling()
    {
        _profile = new long[_program.Length];
        _profiledRuns = 0;
        _packTicks = 0;
    }

    /// <summary>The time per run of each kind of kernel since <see cref="StartProfiling"/>, most expensive first; profiling stops.</summary>
    public IReadOnlyList<KernelTime> StopProfiling()
    {
        var ticks = _profile ?? throw new InvalidOperationException("profiling was not started");
        _profile = null;
        int runs = Math.Max(1, _profiledRuns);
        return _program
            .Select((ins, i) => (Label: Label(ins), Ticks: ticks[i]))
            .GroupBy(x => x.Label, StringComparer.Ordinal)
            .Select(g => new KernelTime(g.Key, g.Count(), g.Sum(x => x.Ticks) * 1000.0 / Stopwatch.Frequency / runs))
            .Append(new KernelTime("pack weights (once per run)", _packed.Length, _packTicks * 1000.0 / Stopwatch.Frequency / runs))
            .Where(k => k.Calls > 0)
            .OrderByDescending(k => k.MillisecondsPerRun)
            .ToList();
    }

    private void RunProfiled(ref Instruction<T>? current)
    {
        var ticks = _profile!;
        foreach (int i in _sequence)
        {
            current = _program[i];
            long start = Stopwatch.GetTimestamp();
            current.Kernel(current, _buffers);
            ticks[i] += Stopwatch.GetTimestamp() - start;
        }
        _profiledRuns++;
    }

    private static string Label(Instruction<T> ins)
    {
        static string Dims(int[] shape) => "[" + string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
        if (ins.Node.Op.Name == "fused") return "fused " + Dims(ins.OutputShape);
        if (ins.Node.Op.Name != "matmul") return ins.Node.Op.Name;
        static string Operand(int[] shape, bool transposed) => "[" + string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]" + (transposed ? "ᵀ" : "");
        return $"matmul {Operand(ins.InputShapes[0], ins.Node.Attributes.I0 == 1)}·{Operand(ins.InputShapes[1], ins.Node.Attributes.I1 == 1)}";
    }
}
