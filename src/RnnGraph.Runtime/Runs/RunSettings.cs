using RnnGraph.Dsl.Spec;

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
            Prefix: g?.Prefix?.Value ?? "");
    }
}
