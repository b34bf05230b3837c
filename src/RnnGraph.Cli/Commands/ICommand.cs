namespace RnnGraph.Cli.Commands;

/// <summary>One <c>rnngraph</c> sub-command.</summary>
public interface ICommand
{
    CommandSpec Spec { get; }

    /// <summary>Runs the command; returns the process exit code.</summary>
    int Execute(ParsedArguments args, CliContext context);
}

/// <summary>Where a command writes: standard output for results, standard error for problems.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error);
