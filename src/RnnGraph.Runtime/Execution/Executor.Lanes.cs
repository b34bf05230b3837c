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

    private void RunOnLanes(ref Instruction<T>? current)
    {
        _progress[ProgressIndex(0)] = 0;
        _progress[ProgressIndex(1)] = 0;
        _failed = 0;
        _laneErrors[0] = _laneErrors[1] = null;
        _failedAt[0] = _failedAt[1] = null;
        if (!LaneWorker.TryRun(this))
        {
            // The worker runs another executor's lane: one thread, in an order the buffer plan allows.
            foreach (int i in _sequence)
            {
                current = _program[i];
                current.Kernel(current, _buffers);
            }
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
