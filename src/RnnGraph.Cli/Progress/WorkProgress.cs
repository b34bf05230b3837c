using Spectre.Console;

namespace RnnGraph.Cli.Progress;

/// <summary>
/// A bar for long work that is not training (decoding a whole file): on an interactive terminal's standard error, the work's
/// name, a bar, the share done and the time left, cleared when the work ends; elsewhere (pipes, CI logs, tests) nothing.
/// </summary>
public static class WorkProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports (done, total) as it goes, with a bar on the process's standard error when it is a terminal.</summary>
    public static T Run<T>(TextWriter error, string description, Func<Action<int, int>, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!RunObservers.IsInteractiveTerminal(error, Console.Error, Console.IsErrorRedirected, Environment.GetEnvironmentVariable))
            return work((_, _) => { });
        return Run(AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Detect,
            Out = new AnsiConsoleOutput(Console.Error),
        }), description, work);
    }

    /// <summary>As <see cref="Run{T}(TextWriter, string, Func{Action{int, int}, T})"/> on a given console.</summary>
    internal static T Run<T>(IAnsiConsole console, string description, Func<Action<int, int>, T> work)
    {
        T result = default!;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(description, maxValue: 1);
                result = work((done, total) =>
                {
                    task.MaxValue = Math.Max(total, 1);
                    task.Value = done;
                });
                task.StopTask();
            });
        return result;
    }
}
