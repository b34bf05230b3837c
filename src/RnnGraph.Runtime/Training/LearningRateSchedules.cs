namespace RnnGraph.Runtime.Training;

/// <summary>A learning rate as a pure function of the step: what the matching <c>torch.optim.lr_scheduler</c> gives after that many scheduler steps.</summary>
/// <remarks>
/// PyTorch updates most schedules recursively from the previous rate; these use its closed forms
/// (<c>_get_closed_form_lr</c>), equal up to the last bits of a double, so any step can be computed
/// directly, e.g. when resuming from a checkpoint.
/// </remarks>
public interface ILearningRateSchedule
{
    /// <summary>The rate at step 0 before any warmup (PyTorch's <c>initial_lr</c>).</summary>
    double BaseLearningRate { get; }

    /// <summary>The rate for step <paramref name="step"/> (0 for the first optimizer step).</summary>
    double At(long step);
}

/// <summary>The same rate at every step (no scheduler).</summary>
public sealed record ConstantSchedule(double BaseLearningRate) : ILearningRateSchedule
{
    /// <inheritdoc/>
    public double At(long step)
    {
        ScheduleChecks.Step(step);
        return BaseLearningRate;
    }
}

/// <summary><c>StepLR</c>: the rate times <paramref name="Gamma"/> every <paramref name="StepSize"/> steps.</summary>
public sealed record StepSchedule(double BaseLearningRate, int StepSize, double Gamma = 0.1) : ILearningRateSchedule
{
    /// <summary>Steps between decays, at least 1.</summary>
    public int StepSize { get; } = StepSize >= 1 ? StepSize : throw new ArgumentOutOfRangeException(nameof(StepSize), StepSize, "the step size must be at least 1");

    /// <inheritdoc/>
    public double At(long step) => BaseLearningRate * Math.Pow(Gamma, ScheduleChecks.Step(step) / StepSize);
}

/// <summary><c>CosineAnnealingLR</c>: half a cosine from the base rate down to <paramref name="EtaMin"/> over <paramref name="TMax"/> steps, then back up, periodically.</summary>
public sealed record CosineSchedule(double BaseLearningRate, int TMax, double EtaMin = 0) : ILearningRateSchedule
{
    /// <summary>Steps from the base rate to the minimum, at least 1.</summary>
    public int TMax { get; } = TMax >= 1 ? TMax : throw new ArgumentOutOfRangeException(nameof(TMax), TMax, "T_max must be at least 1");

    /// <inheritdoc/>
    public double At(long step) =>
        EtaMin + (BaseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * ScheduleChecks.Step(step) / TMax)) / 2;
}

/// <summary>
/// Linear warmup then another schedule: <c>SequentialLR([LinearLR(start_factor, end_factor=1, total_iters=WarmupSteps), Then], milestones=[WarmupSteps])</c>.
/// The rate rises from <paramref name="StartFactor"/> times the base rate; at <paramref name="WarmupSteps"/>, <paramref name="Then"/> starts at its own step 0.
/// </summary>
public sealed record LinearWarmupSchedule(ILearningRateSchedule Then, int WarmupSteps = 5, double StartFactor = 1.0 / 3) : ILearningRateSchedule
{
    /// <summary>The schedule after the warmup; its base rate is the warmup's target.</summary>
    public ILearningRateSchedule Then { get; } = Then ?? throw new ArgumentNullException(nameof(Then));

    /// <summary>Steps of warmup, at least 0.</summary>
    public int WarmupSteps { get; } = WarmupSteps >= 0 ? WarmupSteps : throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "the warmup cannot be negative");

    /// <summary>The fraction of the base rate at step 0, in [0, 1] as LinearLR requires.</summary>
    public double StartFactor { get; } = StartFactor is >= 0 and <= 1 ? StartFactor : throw new ArgumentOutOfRangeException(nameof(StartFactor), StartFactor, "the start factor must be in [0, 1]");

    /// <inheritdoc/>
    public double BaseLearningRate => Then.BaseLearningRate;

    /// <inheritdoc/>
    public double At(long step) => ScheduleChecks.Step(step) < WarmupSteps
        ? BaseLearningRate * (StartFactor + (1.0 - StartFactor) * step / WarmupSteps)
        : Then.At(step - WarmupSteps);
}

internal static class ScheduleChecks
{
    public static long Step(long step) => step >= 0 ? step : throw new ArgumentOutOfRangeException(nameof(step), step, "the step cannot be negative");
}
