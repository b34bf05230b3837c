using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Runs;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>Helpers for the run-folder tests: the hello example, compiled or trained into a fresh folder.</summary>
internal static class RunFolders
{
    public static string HelloPath => Path.Combine(RepoPaths.Examples, "hello.yaml");

    public static Compilation Hello(int? vocabularySize = null) =>
        Compilation.Create(new SourceText(HelloPath, File.ReadAllText(HelloPath)), vocabularySize);

    /// <summary>Trains hello for <paramref name="epochs"/> epochs into <paramref name="folder"/>.</summary>
    public static RunSummary Train(string folder, int epochs) =>
        TrainingRun.Run(Hello(), folder, new LineRunObserver(_ => { }), epochs);

    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "rnngraph-run-tests", Guid.NewGuid().ToString("N"));

    public static void Delete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (DirectoryNotFoundException) { }
        catch (IOException) { }
    }
}
