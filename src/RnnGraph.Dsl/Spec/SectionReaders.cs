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
            ctx.Diagnostics.ReportBothKeys(first.Span.Start > second.Span.Start ? first : second, "'data'", "file", "text");
        }
        if (o.Has("validation") && o.Has("validation_file"))
        {
            TextLocation first = o.KeyLocation("validation")!.Value, second = o.KeyLocation("validation_file")!.Value;
            ctx.Diagnostics.ReportBothKeys(first.Span.Start > second.Span.Start ? first : second, "'data'", "validation", "validation_file");
        }

        var validation = o.Number("validation");
        if (validation is { Value: < 0 or >= 1 } bad)
        {
            ctx.Diagnostics.ReportValidationOutOfRange(bad.Location, bad.Value);
            validation = null;
        }

        var format = o.Choice("format", "format", SpecKeys.DataFormats);
        var targetTokenizer = o.Choice("target_tokenizer", "target tokenizer", SpecKeys.Tokenizers);
        // Only pairs have a target side; with an unknown format (already reported) there is nothing to say.
        if (o.KeyLocation("target_tokenizer") is { } targetKey && format?.Value != "pairs" && (format is not null || !o.Has("format")))
        {
            ctx.Diagnostics.ReportKeyNeedsSetting(targetKey, "target_tokenizer", "format", ["pairs"], format?.Value ?? SpecKeys.DataFormats[0], isDefault: format is null);
            targetTokenizer = null;
        }

        return new DataSpec(location)
        {
            File = file,
            Text = text,
            Format = format,
            Tokenizer = o.Choice("tokenizer", "tokenizer", SpecKeys.Tokenizers),
            MinFrequency = o.PositiveInteger("min_frequency", "minimum frequency"),
            Validation = validation,
            MaxTokens = o.PositiveInteger("max_tokens", "maximum number of tokens"),
            Columns = o.StringList("columns"),
            Window = o.PositiveInteger("window", "window length"),
            TargetTokenizer = targetTokenizer,
            ValidationFile = NonEmpty(ctx, o, "validation_file"),
            TestFile = NonEmpty(ctx, o, "test_file"),
        };
    }

    public static TrainingSpec? ReadTraining(SpecReadContext ctx, MappingReader sections, ModelTopology? topology)
    {
        if (Open(ctx, sections, "training", SpecKeys.Training) is not (var o, var location)) return null;

        var minLearningRate = o.Number("min_learning_rate");
        if (minLearningRate is { Value: < 0 } negative)
        {
            ctx.Diagnostics.ReportWrongType(negative.Location, "a number at least 0", "'min_learning_rate'", YamlValues.Describe(o.Value("min_learning_rate")!));
            minLearningRate = null;
        }

        var training = new TrainingSpec(location)
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
        return ModelTopology.AllowsEncoderDecoderKeys(ctx, o, topology, SpecKeys.EncoderDecoderTrainingKeys)
            ? ReadTeacherForcing(ctx, o, training)
            : training;
    }

    /// <summary>The ratio of teacher forcing and its schedule over the epochs (encoder-decoder).</summary>
    private static TrainingSpec ReadTeacherForcing(SpecReadContext ctx, MappingReader o, TrainingSpec training)
    {
        var start = Ratio(ctx, o, "teacher_forcing", "teacher forcing ratio");
        var schedule = o.Choice("teacher_forcing_schedule", "teacher forcing schedule", SpecKeys.TeacherForcingSchedules);
        var end = Ratio(ctx, o, "teacher_forcing_end", "final teacher forcing ratio");

        // With an unknown schedule (already reported) nothing can be said about 'teacher_forcing_end'.
        if (schedule is not null || !o.Has("teacher_forcing_schedule"))
        {
            string name = schedule?.Value ?? SpecKeys.TeacherForcingSchedules[0];
            if (name == "constant" && o.KeyLocation("teacher_forcing_end") is { } endKey)
            {
                ctx.Diagnostics.ReportKeyNeedsSetting(endKey, "teacher_forcing_end", "teacher_forcing_schedule", ["linear", "exponential"], name, isDefault: schedule is null);
                end = null;
            }
            else if (schedule is { Value: not "constant" } decay && o.IsMissing("teacher_forcing_end"))
            {
                ctx.Diagnostics.ReportSettingNeedsKey(decay.Location, "teacher_forcing_schedule", decay.Value, "teacher_forcing_end",
                    "the teacher forcing ratio at the last epoch, from 0 to 1");
            }
            else if (name == "exponential" && end is { Value: 0 } zero)
            {
                ctx.Diagnostics.ReportExponentialTeacherForcingToZero(zero.Location);
                end = null;
            }
        }

        return training with { TeacherForcing = start, TeacherForcingSchedule = schedule, TeacherForcingEnd = end };
    }

    public static GenerationSpec? ReadGeneration(SpecReadContext ctx, MappingReader sections, ModelTopology? topology)
    {
        if (Open(ctx, sections, "generation", SpecKeys.Generation) is not (var o, var location)) return null;

        var generation = new GenerationSpec(location)
        {
            Samples = o.PositiveInteger("samples", "number of samples"),
            MaxLength = o.PositiveInteger("max_length", "maximum length"),
            Temperature = o.PositiveNumber("temperature", "temperature"),
            Prefix = o.String("prefix"),
        };
        return ModelTopology.AllowsEncoderDecoderKeys(ctx, o, topology, SpecKeys.EncoderDecoderGenerationKeys)
            ? ReadBeamSearch(ctx, o, generation)
            : generation;
    }

    /// <summary>The beam width and length penalty of decoding (encoder-decoder).</summary>
    private static GenerationSpec ReadBeamSearch(SpecReadContext ctx, MappingReader o, GenerationSpec generation)
    {
        var penalty = o.Choice("length_penalty", "length penalty", SpecKeys.LengthPenalties);
        var alpha = o.Number("length_penalty_alpha");
        if (alpha is { Value: < 0 } negative)
        {
            ctx.Diagnostics.ReportWrongType(negative.Location, "a number at least 0", "'length_penalty_alpha'", YamlValues.Describe(o.Value("length_penalty_alpha")!));
            alpha = null;
        }
        // Only GNMT's penalty has an alpha; with an unknown penalty (already reported) there is nothing to say.
        if (o.KeyLocation("length_penalty_alpha") is { } alphaKey && penalty?.Value != "gnmt" && (penalty is not null || !o.Has("length_penalty")))
        {
            ctx.Diagnostics.ReportKeyNeedsSetting(alphaKey, "length_penalty_alpha", "length_penalty", ["gnmt"], penalty?.Value ?? SpecKeys.LengthPenalties[0], isDefault: penalty is null);
            alpha = null;
        }

        return generation with
        {
            BeamWidth = o.PositiveInteger("beam_width", "beam width"),
            LengthPenalty = penalty,
            LengthPenaltyAlpha = alpha,
        };
    }

    /// <summary>The section's checked keys and its whole extent; null when it is absent or not a mapping (already reported).</summary>
    private static (MappingReader Options, TextLocation Location)? Open(SpecReadContext ctx, MappingReader sections, string key, KeyTable keys)
    {
        if (!sections.Has(key) || sections.Mapping(key, emptyIfNull: true) is not { } mapping) return null;
        var options = new MappingReader(ctx, mapping, keys, $"'{key}'", sections.KeyLocation(key)!.Value);
        return (options, sections.EntryLocation(key)!.Value);
    }

    /// <summary>A ratio in [0, 1]; outside it, RG0034 and null.</summary>
    private static Located<double>? Ratio(SpecReadContext ctx, MappingReader o, string key, string what)
    {
        var value = o.Number(key);
        if (value is not { Value: < 0 or > 1 } bad) return value;
        ctx.Diagnostics.ReportRatioOutOfRange(bad.Location, what, bad.Value);
        return null;
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
