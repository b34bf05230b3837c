using RnnGraph.Runtime.Training;
using Xunit.Abstractions;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>Schedules against the values torch.optim.lr_scheduler produced step by step (tests/golden/optim/manifest.json).</summary>
public sealed class LearningRateScheduleTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases() => OptimizerGolden.TheoryNames("schedules");

    /// <summary>PyTorch updates recursively and these are closed forms, so they agree to double rounding, not bit for bit.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_at_every_step(string name)
    {
        var spec = OptimizerGolden.Case("schedules", name);
        var schedule = OptimizerGolden.Schedule(spec.GetProperty("schedule"));
        var values = spec.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double worst = 0;
        for (int step = 0; step < values.Length; step++)
        {
            double got = schedule.At(step);
            worst = Math.Max(worst, Math.Abs(got - values[step]) / schedule.BaseLearningRate);
            Assert.True(Math.Abs(got - values[step]) <= 1e-13 * schedule.BaseLearningRate,
                $"step {step}: {got:r} vs PyTorch {values[step]:r}");
        }
        output.WriteLine($"worst |got-ref| / base rate: {worst:e2}");
    }

    [Fact]
    public void Warmup_rises_linearly_then_hands_over()
    {
        var schedule = new LinearWarmupSchedule(new ConstantSchedule(1.0), WarmupSteps: 4, StartFactor: 0.2);
        Assert.Equal([0.2, 0.4, 0.6, 0.8, 1.0, 1.0], Enumerable.Range(0, 6).Select(s => Math.Round(schedule.At(s), 12)));
        var none = new LinearWarmupSchedule(new StepSchedule(1.0, 2, 0.5), WarmupSteps: 0);
        Assert.Equal(0.5, none.At(2));
    }

    [Fact]
    public void Defaults_are_pytorchs()
    {
        Assert.Equal(0.1, new StepSchedule(1, 1).Gamma);
        Assert.Equal(0.0, new CosineSchedule(1, 10).EtaMin);
        var warmup = new LinearWarmupSchedule(new ConstantSchedule(1));
        Assert.Equal((5, 1.0 / 3), (warmup.WarmupSteps, warmup.StartFactor));
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmupSchedule(new ConstantSchedule(1), -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmupSchedule(new ConstantSchedule(1), 3, 1.5));
        Assert.Throws<ArgumentNullException>(() => new LinearWarmupSchedule(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(1).At(-1));
    }
}
