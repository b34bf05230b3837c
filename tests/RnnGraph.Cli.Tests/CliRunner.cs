using RnnGraph.TestSupport;

namespace RnnGraph.Cli.Tests;

/// <summary>What one in-process run of <c>rnngraph</c> returned and printed.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs <see cref="CommandLineApp"/> in-process with captured output.</summary>
internal static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exitCode = CommandLineApp.Run(args, stdout, stderr);
        var result = new CliResult(exitCode, stdout.ToString(), stderr.ToString());
        // A user's mistake never shows a stack trace (STYLE 5), whatever the command.
        Assert.DoesNotContain("   at ", result.Out + result.Error);
        Assert.DoesNotContain("Exception", result.Out + result.Error);
        return result;
    }

    /// <summary>The example specs, by file name, for theories over <c>examples/</c>.</summary>
    public static TheoryData<string> ExampleNames() =>
        new(Directory.GetFiles(RepoPaths.Examples, "*.yaml").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal));

    public static string Example(string name) => Path.Combine(RepoPaths.Examples, name);

    public static string GoldenCase(string name) => Path.Combine(RepoPaths.Golden, "rnn", name);
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnngraph-cli-tests", Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        string path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
