using RnnGraph.Dsl.Spec;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// The data, training and generation settings of a run: the spec's values with the documented defaults
/// filled in (docs/spec.md), in one place.
/// </summary>
public sealed record RunSettings(
    string? DataFile, string? DataText, string Format, string Tokenizer, int MinFrequency, double Validation,
    int Epochs, int BatchSize, int Steps, string Optimizer, double LearningRate, double? ClipNorm, int Seed,
    int Samples, int MaxLength, double Temperature, string Prefix)
{
    /// <summary><c>constant</c>, <c>step</c> or <c>cosine</c>.</summary>
    public string Schedule { get; init; } = "constant";

    /// <summary><c>step</c>: optimizer steps between decays; null for the batches of one epoch.</summary>
    public int? StepSize { get; init; }

    /// <summary><c>step</c>: the factor of each decay.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary><c>cosine</c>: the rate at the end of the run (eta_min).</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Optimizer steps of linear warmup before the schedule; 0 for none.</summary>
    public int Warmup { get; init; }

    /// <summary>Epochs without a better validation loss after which training stops; null for never.</summary>
    public int? EarlyStopping { get; init; }

    /// <summary><c>lines</c> and <c>labelled</c>: keep only the first this many tokens of each line; null keeps all.</summary>
    public int? MaxTokens { get; init; }

    /// <summary><c>csv</c>: the columns to read, in order; null reads all.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary><c>csv</c>: the rows (time steps) of one example.</summary>
    public int Window { get; init; } = 32;

    /// <summary><c>pairs</c>: the target side's tokenizer (<c>char</c> or <c>word</c>).</summary>
    public string TargetTokenizer { get; init; } = "word";

    /// <summary>A file of held-out examples replacing the <see cref="Validation"/> share; null for the share.</summary>
    public string? ValidationFile { get; init; }

    /// <summary>A file of test examples scored after training; null for none.</summary>
    public string? TestFile { get; init; }

    /// <summary>Encoder-decoder: the teacher forcing ratio at the first epoch.</summary>
    public double TeacherForcing { get; init; } = 1.0;

    /// <summary>Encoder-decoder: <c>constant</c>, <c>linear</c> or <c>exponential</c> from <see cref="TeacherForcing"/> to <see cref="TeacherForcingEnd"/>.</summary>
    public string TeacherForcingSchedule { get; init; } = "constant";

    /// <summary>Encoder-decoder: the ratio at the last epoch (linear, exponential).</summary>
    public double? TeacherForcingEnd { get; init; }

    /// <summary>
    /// The teacher forcing ratio of epoch <paramref name="epoch"/> (from 1) of <see cref="Epochs"/>: constant; linear,
    /// r + (end - r)·(e-1)/(E-1); exponential, r·(end/r)^((e-1)/(E-1)) (a constant factor per epoch).
    /// </summary>
    public double TeacherForcingAt(int epoch)
    {
        double start = TeacherForcing, end = TeacherForcingEnd ?? start;
        double progress = Epochs > 1 ? Math.Clamp((epoch - 1) / (double)(Epochs - 1), 0, 1) : 0;
        return TeacherForcingSchedule switch
        {
            "linear" => start + (end - start) * progress,
            "exponential" when start > 0 => start * Math.Pow(end / start, progress),
            _ => start,
        };
    }

    /// <summary>Encoder-decoder: the beam width of decoding (1 decodes greedily).</summary>
    public int BeamWidth { get; init; } = 1;

    /// <summary>Encoder-decoder beam search: <c>none</c>, <c>average</c> or <c>gnmt</c>.</summary>
    public string LengthPenalty { get; init; } = "none";

    /// <summary><c>length_penalty: gnmt</c>: its alpha.</summary>
    public double LengthPenaltyAlpha { get; init; } = 0.6;

    /// <summary>A line's tokens cut to <see cref="MaxTokens"/>.</summary>
    public IReadOnlyList<string> Truncate(IReadOnlyList<string> tokens) =>
        MaxTokens is { } max && tokens.Count > max ? tokens.Take(max).ToList() : tokens;

    /// <summary>The weight initialization: <c>default</c>, <c>xavier</c> or <c>orthogonal</c>.</summary>
    public string Init { get; init; } = "default";

    /// <summary>Checkpointed BPTT: batches of more steps train in segments of this many (<see cref="TrainerOptions.RecomputeEvery"/>); null for off.</summary>
    public int? RecomputeEvery { get; init; }

    /// <summary>The learning rate of every optimizer step of a run of <paramref name="totalSteps"/> steps, one epoch being <paramref name="batchesPerEpoch"/> of them.</summary>
    public ILearningRateSchedule LearningRateSchedule(long totalSteps, int batchesPerEpoch)
    {
        ILearningRateSchedule schedule = Schedule switch
        {
            "step" => new StepSchedule(LearningRate, StepSize ?? Math.Max(1, batchesPerEpoch), Gamma),
            "cosine" => new CosineSchedule(LearningRate, (int)Math.Clamp(totalSteps - Warmup, 1, int.MaxValue), MinLearningRate),
            _ => new ConstantSchedule(LearningRate),
        };
        return Warmup > 0 ? new LinearWarmupSchedule(schedule, Warmup) : schedule;
    }

    public static RunSettings From(SpecDocument spec)
    {
        var d = spec.Data;
        var t = spec.Training;
        var g = spec.Generation;
        return new RunSettings(
            DataFile: d?.File?.Value, DataText: d?.Text?.Value, Format: d?.Format?.Value ?? "lines", Tokenizer: d?.Tokenizer?.Value ?? "char",
            MinFrequency: d?.MinFrequency?.Value ?? 1, Validation: d?.Validation?.Value ?? 0.1,
            Epochs: t?.Epochs?.Value ?? 10, BatchSize: t?.BatchSize?.Value ?? 32, Steps: t?.Steps?.Value ?? 32, Optimizer: t?.Optimizer?.Value ?? "adam",
            LearningRate: t?.LearningRate?.Value ?? 0.002, ClipNorm: t?.ClipNorm?.Value, Seed: t?.Seed?.Value ?? 1,
            Samples: g?.Samples?.Value ?? 10, MaxLength: g?.MaxLength?.Value ?? 40, Temperature: g?.Temperature?.Value ?? 1.0,
            Prefix: g?.Prefix?.Value ?? "")
        {
            Schedule = t?.Schedule?.Value ?? "constant",
            StepSize = t?.StepSize?.Value,
            Gamma = t?.Gamma?.Value ?? 0.1,
            MinLearningRate = t?.MinLearningRate?.Value ?? 0,
            Warmup = t?.Warmup?.Value ?? 0,
            EarlyStopping = t?.EarlyStopping?.Value,
            Init = t?.Init?.Value ?? "default",
            RecomputeEvery = t?.RecomputeEvery?.Value,
            MaxTokens = d?.MaxTokens?.Value,
            Columns = d?.Columns?.Select(c => c.Value).ToList(),
            Window = d?.Window?.Value ?? 32,
            TargetTokenizer = d?.TargetTokenizer?.Value ?? "word",
            ValidationFile = d?.ValidationFile?.Value,
            TestFile = d?.TestFile?.Value,
            TeacherForcing = t?.TeacherForcing?.Value ?? 1.0,
            TeacherForcingSchedule = t?.TeacherForcingSchedule?.Value ?? "constant",
            TeacherForcingEnd = t?.TeacherForcingEnd?.Value,
            BeamWidth = g?.BeamWidth?.Value ?? 1,
            LengthPenalty = g?.LengthPenalty?.Value ?? "none",
            LengthPenaltyAlpha = g?.LengthPenaltyAlpha?.Value ?? 0.6,
        };
    }
}
