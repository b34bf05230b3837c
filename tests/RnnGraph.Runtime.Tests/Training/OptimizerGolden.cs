using System.Text.Json;
using RnnGraph.Runtime.Training;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>Reads tests/golden/optim (written by scripts/golden/generate_optim_golden.py) and maps its PyTorch settings to ours.</summary>
internal static class OptimizerGolden
{
    public static readonly string Root = Path.Combine(RepoPaths.Golden, "optim");

    private static readonly Lazy<JsonElement> LazyManifest =
        new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "manifest.json"))).RootElement);

    public static JsonElement Manifest => LazyManifest.Value;

    public static JsonElement Case(string section, string name) =>
        Manifest.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static IEnumerable<string> Names(string section) =>
        Manifest.GetProperty(section).EnumerateArray().Select(c => c.GetProperty("name").GetString()!);

    public static TheoryData<string> TheoryNames(string section) => new(Names(section));

    /// <summary>Our options for PyTorch's keyword arguments; an unknown keyword fails so the two sides cannot drift apart.</summary>
    public static OptimizerOptions Options(string optimizer, JsonElement kwargs)
    {
        var options = Optimizers.DefaultOptions(optimizer);
        foreach (var property in kwargs.EnumerateObject())
        {
            var v = property.Value;
            options = (options, property.Name) switch
            {
                (SgdOptions o, "momentum") => o with { Momentum = v.GetDouble() },
                (SgdOptions o, "dampening") => o with { Dampening = v.GetDouble() },
                (SgdOptions o, "nesterov") => o with { Nesterov = v.GetBoolean() },
                (SgdOptions o, "weight_decay") => o with { WeightDecay = v.GetDouble() },
                (SgdOptions o, "maximize") => o with { Maximize = v.GetBoolean() },
                (AdamOptions o, "betas") => o with { Beta1 = v[0].GetDouble(), Beta2 = v[1].GetDouble() },
                (AdamOptions o, "eps") => o with { Eps = v.GetDouble() },
                (AdamOptions o, "weight_decay") => o with { WeightDecay = v.GetDouble() },
                (AdamOptions o, "amsgrad") => o with { AmsGrad = v.GetBoolean() },
                (AdamOptions o, "maximize") => o with { Maximize = v.GetBoolean() },
                (AdamWOptions o, "betas") => o with { Beta1 = v[0].GetDouble(), Beta2 = v[1].GetDouble() },
                (AdamWOptions o, "eps") => o with { Eps = v.GetDouble() },
                (AdamWOptions o, "weight_decay") => o with { WeightDecay = v.GetDouble() },
                (AdamWOptions o, "amsgrad") => o with { AmsGrad = v.GetBoolean() },
                (AdamWOptions o, "maximize") => o with { Maximize = v.GetBoolean() },
                (RmsPropOptions o, "alpha") => o with { Alpha = v.GetDouble() },
                (RmsPropOptions o, "eps") => o with { Eps = v.GetDouble() },
                (RmsPropOptions o, "weight_decay") => o with { WeightDecay = v.GetDouble() },
                (RmsPropOptions o, "momentum") => o with { Momentum = v.GetDouble() },
                (RmsPropOptions o, "centered") => o with { Centered = v.GetBoolean() },
                (RmsPropOptions o, "maximize") => o with { Maximize = v.GetBoolean() },
                _ => throw new InvalidDataException($"{optimizer}: no option maps to PyTorch's '{property.Name}'"),
            };
        }
        return options;
    }

    /// <summary>Our schedule for the generator's schedule description.</summary>
    public static ILearningRateSchedule Schedule(JsonElement spec) => spec.GetProperty("kind").GetString() switch
    {
        "constant" => new ConstantSchedule(spec.GetProperty("base_lr").GetDouble()),
        "step" => new StepSchedule(spec.GetProperty("base_lr").GetDouble(), spec.GetProperty("step_size").GetInt32(), spec.GetProperty("gamma").GetDouble()),
        "cosine" => new CosineSchedule(spec.GetProperty("base_lr").GetDouble(), spec.GetProperty("t_max").GetInt32(), spec.GetProperty("eta_min").GetDouble()),
        "warmup" => new LinearWarmupSchedule(Schedule(spec.GetProperty("then")), spec.GetProperty("warmup_steps").GetInt32(), spec.GetProperty("start_factor").GetDouble()),
        var kind => throw new InvalidDataException($"unknown schedule kind '{kind}'"),
    };

    public static double NormType(JsonElement clip) =>
        clip.GetProperty("norm_type") is { ValueKind: JsonValueKind.String } s && s.GetString() == "inf" ? double.PositiveInfinity : clip.GetProperty("norm_type").GetDouble();
}
