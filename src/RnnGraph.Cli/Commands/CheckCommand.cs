namespace RnnGraph.Cli.Commands;

/// <summary><c>rnngraph check SPEC</c>: reads and binds a spec, prints located errors.</summary>
public sealed class CheckCommand : ICommand
{
    public CommandSpec Spec { get; } = new("check", "Check a spec: YAML, cell equations, names and shapes.\nPrints each problem as path(line,col): error RGnnnn: message with the source line marked; exit 1 on any error.",
        ["SPEC"], [OptionSpec.Set]);

    public int Execute(ParsedArguments args, CliContext context)
    {
        string path = args.Positionals[0];
        var compilation = SpecLoader.Load(path, args.List("--set"), context.Out, context.Error);
        if (compilation is null) return 1;
        var model = compilation.Model!;
        context.Out.WriteLine($"{path}: ok ({model.Layers.Count} layer{(model.Layers.Count == 1 ? "" : "s")}, {model.Parameters.Count} parameter tensors, {model.Parameters.Sum(p => p.Dims.Aggregate(1L, (a, b) => a * b))} weights)");
        return 0;
    }
}
