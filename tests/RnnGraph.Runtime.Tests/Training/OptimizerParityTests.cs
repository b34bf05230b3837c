using RnnGraph.Runtime.Training;
using Xunit.Abstractions;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>
/// PyTorch parity: every optimizer case under tests/golden/optim replays PyTorch's gradients through our
/// optimizer (and, for the loop cases, our clipping and schedule) and compares the parameters after every
/// step, the clip norms and the final optimizer state.
/// </summary>
public sealed class OptimizerParityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases() => OptimizerGolden.TheoryNames("optimizers");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_after_every_step(string name)
    {
        var tally = Replay(name);
        output.WriteLine(tally.ToString());
        Assert.True(tally.Failures.Count == 0, string.Join("\n", tally.Failures));
    }

    /// <summary>
    /// Stricter than the tolerance: the update formulas round exactly where PyTorch's kernels do, so a
    /// change of operation order (say, an unfused multiply-add) shows here first.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_bit_identical_to_pytorch(string name)
    {
        var tally = Replay(name);
        Assert.True(tally.BitMismatches == 0, $"{name}: {tally}");
    }

    [Fact]
    public void Reports_the_worst_error_over_all_cases()
    {
        var worst = OptimizerGolden.Names("optimizers").Select(name => (name, tally: Replay(name))).ToList();
        foreach (var (name, tally) in worst) output.WriteLine($"{name,-40} {tally}");
        var all = worst.MaxBy(w => w.tally.WorstToleranceFraction);
        output.WriteLine($"worst: {all.name}: {all.tally}");
        Assert.All(worst, w => Assert.Empty(w.tally.Failures));
    }

    private static ParityTally Replay(string name)
    {
        var run = new OptimizerRun(name);
        var optimizer = run.CreateOptimizer();
        var parameters = run.InitialParameters();
        var tally = new ParityTally();
        for (int step = 0; step < run.Steps; step++)
        {
            float? totalNorm = run.TakeStep(optimizer, parameters, step);
            if (run.TorchTotalNorm(step) is { } torchNorm) tally.Add($"step {step} total norm", [totalNorm!.Value], [torchNorm]);
            foreach (var parameter in parameters) tally.Add($"step {step} {parameter.Name}", parameter.Value, run.Expected(parameter.Name, step));
        }
        var state = optimizer.SaveState();
        var torchState = run.TorchFinalState().ToDictionary(s => s.Key, s => s.Value);
        Assert.Equal(torchState.Keys.Order(StringComparer.Ordinal), state.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in torchState) tally.Add($"state {key}", state.Tensors[key], value);
        Assert.Equal(run.Steps, optimizer.StepCount);
        return tally;
    }
}
