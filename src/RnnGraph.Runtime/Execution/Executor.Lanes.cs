using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Runtime.Execution;

/// <summary>Two-lane runs: each lane runs its list of instructions, waiting on the other lane's progress counter only where the schedule says.</summary>
public sealed partial class Executor<T>
{
    private readonly LaneSchedule? _lanes;
    private readonly Instruction<T>[][] _laneInstructions = [];
    private readonly Instruction<T>?[] _failedAt = [];
    private readonly Exception?[] _laneErrors = [];

    /// <summary>Instructions each lane has finished in the current run, at indices 16 and 32: a cache line apart, so neither lane's writes evict the other's counter.</summary>
    private readonly int[] _progress = new int[48];
    private int _failed;

    private static int ProgressIndex(int lane) => 16 * (lane + 1);

    // Whether two lanes pay is measured, not assumed: the two hardware threads of a small machine may share one core's
    // floating-point units, and other processes may hold the second CPU. The first runs alternate between one lane
    // and two; after a few untimed ones, TrialRuns of each are timed, and two lanes are kept only when their median is
    // clearly below one lane's. The trial runs again after FirstRetrial runs (the JIT has optimized the kernels by
    // then) and every RetrialAfter runs after that, as the machine's load changes.
    private const int WarmRuns = 4, TrialRuns = 5, FirstRetrial = 50, RetrialAfter = 500;
    private const double RequiredGain = 0.97;
    private readonly bool _measure;
    private readonly long[] _trialTicks = [];
    private int _runsSinceTrial, _trials;
    private bool _twoLanesWon;

    /// <summary>Whether the runs so far chose their lanes (no trial of one lane against two under way).</summary>
    public bool LanesSettled => !_measure || _trials > 0 && _runsSinceTrial >= WarmRuns + 2 * TrialRuns;

    /// <summary>The last trial's median run times in milliseconds, one lane and two (NaN before the first trial ends).</summary>
    public (double OneLaneMs, double TwoLanesMs) LaneTrialMs { get; private set; } = (double.NaN, double.NaN);

    /// <summary>Starts a new trial of one lane against two with the next run: for a host that has just warmed the kernels up.</summary>
    public void RemeasureLanes()
    {
        if (_measure) _runsSinceTrial = 0;
    }

    /// <summary>Lanes the last run used: 1 or 2 (see <see cref="Lanes"/> for the plan).</summary>
    public int LanesInUse { get; private set; } = 1;

    private void RunMeasured(ref Instruction<T>? current)
    {
        int run = _runsSinceTrial++;
        bool trial = _measure && run < WarmRuns + 2 * TrialRuns;
        bool two = !_measure || (trial ? run % 2 == 1 : _twoLanesWon);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        if (two) RunOnLanes(ref current);
        else RunInOrder(ref current);
        LanesInUse = two ? 2 : 1;
        if (!trial)
        {
            if (_runsSinceTrial >= (_trials == 1 ? FirstRetrial : RetrialAfter)) _runsSinceTrial = 0;
            return;
        }
        int timed = run - WarmRuns;
        if (timed < 0) return;
        // Two lanes' times in the first half of the array, one lane's in the second.
        _trialTicks[(two ? 0 : TrialRuns) + timed / 2] = System.Diagnostics.Stopwatch.GetTimestamp() - start;
        if (timed == 2 * TrialRuns - 1)
        {
            var twoLanes = _trialTicks.AsSpan(0, TrialRuns);
            var oneLane = _trialTicks.AsSpan(TrialRuns, TrialRuns);
            twoLanes.Sort();
            oneLane.Sort();
            _twoLanesWon = twoLanes[TrialRuns / 2] < RequiredGain * oneLane[TrialRuns / 2];
            double msPerTick = 1000.0 / System.Diagnostics.Stopwatch.Frequency;
            LaneTrialMs = (oneLane[TrialRuns / 2] * msPerTick, twoLanes[TrialRuns / 2] * msPerTick);
            _trials++;
        }
    }

    /// <summary>All instructions on this thread, in an order the buffer plan allows.</summary>
    private void RunInOrder(ref Instruction<T>? current)
    {
        foreach (int i in _sequence)
        {
            current = _program[i];
            current.Kernel(current, _buffers);
        }
    }

    private void RunOnLanes(ref Instruction<T>? current)
    {
        _progress[ProgressIndex(0)] = 0;
        _progress[ProgressIndex(1)] = 0;
        _failed = 0;
        _laneErrors[0] = _laneErrors[1] = null;
        _failedAt[0] = _failedAt[1] = null;
        if (!LaneWorker.TryRun(this))
        {
            // The worker runs another executor's lane: this run takes one thread.
            RunInOrder(ref current);
            return;
        }
        for (int lane = 0; lane < 2; lane++)
        {
            if (_laneErrors[lane] is not { } error) continue;
            current = _failedAt[lane];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    void ILaneJob.RunLane(int lane)
    {
        var instructions = _laneInstructions[lane];
        var waits = _lanes!.Waits[lane];
        int mine = ProgressIndex(lane), other = ProgressIndex(1 - lane);
        bool wasInLane = GemmThreading.InLane;
        // Both threads are busy with lanes: a GEMM split would only add a third.
        GemmThreading.InLane = true;
        int p = 0;
        try
        {
            for (; p < instructions.Length; p++)
            {
                if (waits[p] > 0 && !WaitFor(other, waits[p])) return;
                var ins = instructions[p];
                ins.Kernel(ins, _buffers);
                Volatile.Write(ref _progress[mine], p + 1);
            }
        }
        catch (Exception e)
        {
            _laneErrors[lane] = e;
            _failedAt[lane] = instructions[p];
            Volatile.Write(ref _failed, 1);
        }
        finally { GemmThreading.InLane = wasInLane; }
    }

    /// <summary>Spins until the other lane has finished <paramref name="count"/> instructions; false when a lane failed.</summary>
    private bool WaitFor(int index, int count)
    {
        int spins = 0;
        while (Volatile.Read(ref _progress[index]) < count)
        {
            if (Volatile.Read(ref _failed) != 0) return false;
            // Short pauses first (the other lane is usually a kernel away); yield when it seems descheduled.
            if (++spins < 4000) Thread.SpinWait(8);
            else Thread.Yield();
        }
        return true;
    }
}
