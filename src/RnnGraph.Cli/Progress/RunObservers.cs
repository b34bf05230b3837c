using RnnGraph.Runtime.Runs;

namespace RnnGraph.Cli.Progress;

/// <summary>Chooses how <c>rnngraph run</c> shows progress: a live bar on an interactive terminal, plain lines otherwise.</summary>
public static class RunObservers
{
    public static IRunObserver For(TextWriter output) =>
        IsInteractiveTerminal(output, Console.Out, Console.IsOutputRedirected, Environment.GetEnvironmentVariable)
            ? TerminalRunObserver.ForConsole()
            : new LineRunObserver(output.WriteLine);

    /// <summary>
    /// True when <paramref name="output"/> is the process's stdout, stdout is not redirected, and neither
    /// CI is set nor TERM is "dumb" (so pipes, CI logs and tests keep plain lines).
    /// </summary>
    internal static bool IsInteractiveTerminal(TextWriter output, TextWriter consoleOut, bool outputRedirected, Func<string, string?> environment) =>
        ReferenceEquals(output, consoleOut)
        && !outputRedirected
        && string.IsNullOrEmpty(environment("CI"))
        && !string.Equals(environment("TERM"), "dumb", StringComparison.Ordinal);
}
