using System.Globalization;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph sample RUN</c>: draws samples from a trained run folder, one per line.</summary>
public sealed class SampleCommand : ICommand
{
    public CommandSpec Spec { get; } = new("sample", "Draw samples from the model of a run folder, one per line.",
        ["RUN"],
        [
            new OptionSpec("--count", "N", "how many samples (default: generation.samples)"),
            new OptionSpec("--temperature", "T", "sampling temperature > 0 (default: generation.temperature)"),
            new OptionSpec("--top-k", "K", "draw only among the K most probable tokens; 1 is greedy"),
            new OptionSpec("--prefix", "TEXT", "text every sample starts with (default: generation.prefix)"),
            new OptionSpec("--max-length", "N", "the most tokens per sample, prefix included (default: generation.max_length)"),
            new OptionSpec("--seed", "N", "random seed (default: training.seed)"),
            new OptionSpec("--label", "L", "one-to-many models: sample only for this label (default: every label in turn)"),
        ],
        "RUN is a folder written by 'rnngraph run'. Without weights.safetensors (an interrupted run) the last\ncheckpoint's weights are used. With the defaults the samples are those of the run's samples.txt.\nA one-to-many model prints 'label<TAB>sample' lines, N for each label.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        string folder = args.Positionals[0];
        TrainedModel model;
        try { model = TrainedModel.Load(folder); }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }

        var settings = model.Settings;
        int count = args.IntOption("--count", settings.Samples, 0);
        int maxLength = args.IntOption("--max-length", settings.MaxLength, 1);
        int seed = args.IntOption("--seed", settings.Seed, int.MinValue);
        int? topK = args.Options.ContainsKey("--top-k") ? args.IntOption("--top-k", 1, 1) : null;
        double temperature = settings.Temperature;
        if (args.Option("--temperature") is { } t
            && (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out temperature) || !(temperature > 0) || double.IsInfinity(temperature)))
            throw new UsageException($"--temperature needs a number > 0, got '{t}'");
        string prefix = args.Option("--prefix") ?? settings.Prefix;

        try
        {
            foreach (var sample in model.Generate(count, prefix, maxLength, temperature, seed, topK, args.Option("--label"))) context.Out.WriteLine(sample);
            return 0;
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, context.Error);
        }
    }
}
