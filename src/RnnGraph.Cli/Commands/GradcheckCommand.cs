using System.Globalization;
using RnnGraph.Runtime.Evaluation;

namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph gradcheck SPEC</c>: float64 central differences over the whole model.</summary>
public sealed class GradcheckCommand : ICommand
{
    public CommandSpec Spec { get; } = new("gradcheck", "Check the compiled gradients against float64 central differences.\nUses random weights, inputs, initial states and upstream gradients; prints the worst relative error per gradient.\nAn encoder-decoder gets random source and decoder tokens, sources of uneven lengths, and an upstream gradient for every y[t].",
        ["SPEC"],
        [
            new OptionSpec("--steps", "T", "unrolled steps, an encoder-decoder's source steps (default 4)"),
            new OptionSpec("--target-steps", "T", "encoder-decoder: decoder steps (default: --steps)"),
            new OptionSpec("--teacher-forcing", "R", "encoder-decoder: check the sampled teacher forcing graph, each step fed the reference with probability R in [0,1], else the previous argmax (default: every reference)"),
            new OptionSpec("--batch", "B", "batch size (default 2)"),
            new OptionSpec("--seed", "N", "random seed (default 1234)"),
            new OptionSpec("--max-elements", "N", "elements checked per tensor, sampled (default 48)"),
            new OptionSpec("--tolerance", "TOL", "largest relative error accepted (default 1e-5)"),
            OptionSpec.Set,
        ],
        "Relative error = |analytic - numeric| / max(|analytic|, |numeric|, 1e-3). Exit 1 above the tolerance.");

    public int Execute(ParsedArguments args, CliContext context)
    {
        var defaults = new GradientCheckOptions();
        double tolerance = defaults.Tolerance;
        if (args.Option("--tolerance") is { } text &&
            (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out tolerance) || tolerance <= 0))
            throw new UsageException($"--tolerance needs a positive number, got '{text}'");
        var options = defaults with
        {
            Steps = args.IntOption("--steps", defaults.Steps, 1),
            Batch = args.IntOption("--batch", defaults.Batch, 1),
            Seed = args.IntOption("--seed", defaults.Seed, 0),
            MaxElementsPerTensor = args.IntOption("--max-elements", defaults.MaxElementsPerTensor, 1),
            Tolerance = tolerance,
        };
        int? targetSteps = args.Option("--target-steps") is null ? null : args.IntOption("--target-steps", options.Steps, 1);
        double? teacherForcing = null;
        if (args.Option("--teacher-forcing") is { } ratioText)
        {
            if (!double.TryParse(ratioText, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio) || ratio is < 0 or > 1)
                throw new UsageException($"--teacher-forcing needs a number in [0,1], got '{ratioText}'");
            teacherForcing = ratio;
        }
        var compilation = SpecLoader.Load(args.Positionals[0], args.List("--set"), context.Error, context.Error);
        if (compilation is null) return 1;
        bool encoderDecoder = compilation.Model!.IsEncoderDecoder;
        if (!encoderDecoder && (targetSteps is not null || teacherForcing is not null))
            throw new UsageException($"{(targetSteps is not null ? "--target-steps" : "--teacher-forcing")} applies to encoder-decoder specs only; remove it");
        options = options with { TargetSteps = targetSteps, TeacherForcing = teacherForcing };

        var report = GradientChecker.Run(compilation, options);
        int width = Math.Max(8, report.Entries.Max(e => e.Name.Length));
        context.Out.WriteLine($"{"gradient".PadRight(width)}  {"checked",9}  {"worst rel",10}  {"worst abs",10}");
        foreach (var e in report.Entries)
        {
            string flag = e.WorstRelativeError > tolerance ? "  FAIL" : "";
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.Name.PadRight(width)}  {$"{e.Checked}/{e.Total}",9}  {e.WorstRelativeError,10:0.00e+00}  {e.WorstAbsoluteError,10:0.00e+00}{flag}"));
        }
        if (report.ArgmaxFlips > 0)
            context.Out.WriteLine($"{report.ArgmaxFlips} perturbed runs fed a step another argmax, so their differences do not measure the gradient; try another --seed");
        string shape = (encoderDecoder ? $"S={options.Steps}, T={options.DecoderSteps}, " : $"T={options.Steps}, ") + $"B={options.Batch}, ";
        if (options.TeacherForcing is { } r) shape += string.Create(CultureInfo.InvariantCulture, $"teacher forcing {r}, ");
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(report.Passed ? "passed" : "FAILED")}: worst relative error {report.WorstRelativeError:0.00e+00} (tolerance {tolerance:0.0e+00}, {shape}float64, eps={options.Epsilon:0e+00})"));
        return report.Passed ? 0 : 1;
    }
}
