using RnnGraph.Dsl.Text;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>
/// Reads the sections that say what <c>rnngraph run</c> trains on and how: <c>data</c>, <c>training</c> and
/// <c>generation</c>. Each is optional, and an empty one (<c>training:</c>) means every default.
/// Defaults are not filled in here: a value that is not written stays null.
/// </summary>
internal static class SectionReaders
{
    public static DataSpec? ReadData(SpecReadContext ctx, MappingReader sections)
    {
        if (Open(ctx, sections, "data", SpecKeys.Data) is not (var o, var location)) return null;

        var file = NonEmpty(ctx, o, "file");
        var text = NonEmpty(ctx, o, "text");
        if (!o.Has("file") && !o.Has("text"))
        {
            ctx.Diagnostics.ReportDataWithoutFileOrText(sections.KeyLocation("data")!.Value);
        }
        else if (o.Has("file") && o.Has("text"))
        {
            // As for size and vocab: point at whichever was written second.
            TextLocation first = o.KeyLocation("file")!.Value, second = o.KeyLocation("text")!.Value;
            ctx.Diagnostics.ReportDataWithFileAndText(first.Span.Start > second.Span.Start ? first : second);
        }

        var validation = o.Number("validation");
        if (validation is { Value: < 0 or >= 1 } bad)
        {
            ctx.Diagnostics.ReportValidationOutOfRange(bad.Location, bad.Value);
            validation = null;
        }

        return new DataSpec(location)
        {
            File = file,
            Text = text,
            Format = o.Choice("format", "format", SpecKeys.DataFormats),
            Tokenizer = o.Choice("tokenizer", "tokenizer", SpecKeys.Tokenizers),
            MinFrequency = o.PositiveInteger("min_frequency", "minimum frequency"),
            Validation = validation,
            MaxTokens = o.PositiveInteger("max_tokens", "maximum number of tokens"),
            Columns = o.StringList("columns"),
            Window = o.PositiveInteger("window", "window length"),
        };
    }

    public static TrainingSpec? ReadTraining(SpecReadContext ctx, MappingReader sections)
    {
        if (Open(ctx, sections, "training", SpecKeys.Training) is not (var o, var location)) return null;

        var minLearningRate = o.Number("min_learning_rate");
        if (minLearningRate is { Value: < 0 } negative)
        {
            ctx.Diagnostics.ReportWrongType(negative.Location, "a number at least 0", "'min_learning_rate'", YamlValues.Describe(o.Value("min_learning_rate")!));
            minLearningRate = null;
        }

        return new TrainingSpec(location)
        {
            Epochs = o.PositiveInteger("epochs", "number of epochs"),
            BatchSize = o.PositiveInteger("batch_size", "batch size"),
            Steps = o.PositiveInteger("steps", "number of steps"),
            Optimizer = o.Choice("optimizer", "optimizer", SpecKeys.Optimizers),
            LearningRate = o.PositiveNumber("learning_rate", "learning rate"),
            // `clip_norm: none` spells out the default, no clipping.
            ClipNorm = o.Value("clip_norm") is YamlScalarNode { Value: "none" }
                ? null
                : o.PositiveNumber("clip_norm", "clipping norm"),
            Seed = o.NonNegativeInteger("seed", "seed"),
            Schedule = o.Choice("schedule", "schedule", SpecKeys.Schedules),
            StepSize = o.PositiveInteger("step_size", "step size"),
            Gamma = o.PositiveNumber("gamma", "gamma"),
            MinLearningRate = minLearningRate,
            Warmup = o.NonNegativeInteger("warmup", "warmup"),
            EarlyStopping = o.PositiveInteger("early_stopping", "early stopping patience"),
            Init = o.Choice("init", "weight initialization", SpecKeys.Inits),
            RecomputeEvery = o.PositiveInteger("recompute_every", "recompute segment length"),
        };
    }

    public static GenerationSpec? ReadGeneration(SpecReadContext ctx, MappingReader sections)
    {
        if (Open(ctx, sections, "generation", SpecKeys.Generation) is not (var o, var location)) return null;

        return new GenerationSpec(location)
        {
            Samples = o.PositiveInteger("samples", "number of samples"),
            MaxLength = o.PositiveInteger("max_length", "maximum length"),
            Temperature = o.PositiveNumber("temperature", "temperature"),
            Prefix = o.String("prefix"),
        };
    }

    /// <summary>The section's checked keys and its whole extent; null when it is absent or not a mapping (already reported).</summary>
    private static (MappingReader Options, TextLocation Location)? Open(SpecReadContext ctx, MappingReader sections, string key, KeyTable keys)
    {
        if (!sections.Has(key) || sections.Mapping(key, emptyIfNull: true) is not { } mapping) return null;
        var options = new MappingReader(ctx, mapping, keys, $"'{key}'", sections.KeyLocation(key)!.Value);
        return (options, sections.EntryLocation(key)!.Value);
    }

    /// <summary>A path or inline text: a string that must not be empty.</summary>
    private static Located<string>? NonEmpty(SpecReadContext ctx, MappingReader o, string key)
    {
        var value = o.String(key);
        if (value is not { Value.Length: 0 } empty) return value;
        ctx.Diagnostics.ReportEmptyList(empty.Location, key);
        return null;
    }
}
