using System.Diagnostics;
using RnnGraph.Compiler.Printing;
using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Printing;

/// <summary>
/// The dump is a reviewed artifact: the same spec must print byte-identical text in one process and
/// across processes (where string hashes and object hash codes differ).
/// </summary>
public sealed class DumpDeterminismTests
{
    private const string Spec = "model:\n  inputs:\n    x: {size: 3}\n  layers:\n    - rnn: {cell: lstm, hidden: 2, layers: 2, bidirectional: true}\n    - dense: {units: 2, activation: softmax}\n";

    [Fact]
    public void Two_compilations_print_the_same_text_and_dot_for_every_stage()
    {
        foreach (var stage in Compilation.Stages)
        {
            var first = TestSpecs.Stage(TestSpecs.Compile(Spec), stage);
            var second = TestSpecs.Stage(TestSpecs.Compile(Spec), stage);
            Assert.Equal(GraphTextPrinter.Print(first), GraphTextPrinter.Print(second));
            Assert.Equal(GraphDotPrinter.Print(first), GraphDotPrinter.Print(second));
        }
    }

    [Fact]
    public void Two_processes_print_the_same_bytes_as_this_one()
    {
        string spec = Path.Combine(Directory.CreateTempSubdirectory("rnngraph-dump-").FullName, "model.yaml");
        File.WriteAllText(spec, Spec);
        try
        {
            string first = RunCliDump(spec);
            string second = RunCliDump(spec);
            Assert.Equal(first, second);
            var inProcess = TestSpecs.Stage(TestSpecs.Compile(Spec, spec), "optimized");
            Assert.Equal(GraphTextPrinter.Print(inProcess), first);
        }
        finally { Directory.Delete(Path.GetDirectoryName(spec)!, recursive: true); }
    }

    /// <summary>Runs <c>rnngraph dump</c> from the CLI's build output for the configuration these tests were built in.</summary>
    private static string RunCliDump(string spec)
    {
        // .../tests/RnnGraph.Compiler.Tests/bin/<Configuration>/<tfm>/ → .../src/RnnGraph.Cli/bin/<Configuration>/<tfm>/rnngraph.dll
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        string cli = Path.Combine(RepoPaths.Root, "src", "RnnGraph.Cli", "bin", output.Parent!.Name, output.Name, "rnngraph.dll");
        Assert.True(File.Exists(cli), $"the CLI is not built at {cli}");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", cli, "dump", spec, "--steps", "3", "--stage", "optimized" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "rnngraph dump did not finish within a minute");
        Assert.True(process.ExitCode == 0, $"rnngraph dump exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
