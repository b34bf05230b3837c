using RnnGraph.Compiler.Printing;
using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Printing;

/// <summary>
/// The optimized graph (T=3) of every spec in <c>examples/</c>. A new example needs its snapshot
/// accepted (RNNGRAPH_ACCEPT_SNAPSHOTS=1); a removed one must take its snapshot with it.
/// </summary>
public sealed class ExampleDumpSnapshotTests
{
    private const string SnapshotPrefix = nameof(ExampleDumpSnapshotTests) + "." + nameof(Optimized) + "_";

    private static IEnumerable<string> ExampleNames() =>
        Directory.EnumerateFiles(RepoPaths.Examples, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    public static TheoryData<string> Examples() => new(ExampleNames());

    [Theory]
    [MemberData(nameof(Examples))]
    public void Optimized(string example)
    {
        var compilation = Compilation.FromFile(Path.Combine(RepoPaths.Examples, example + ".yaml"));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics.Sorted()));
        var graph = compilation.Stage("optimized", 3);
        RnnGraph.Compiler.Passes.GraphVerifier.Verify(graph);
        Snapshot.Verify(GraphTextPrinter.Print(graph), parameters: example);
    }

    [Fact]
    public void Every_snapshot_belongs_to_an_existing_example()
    {
        string folder = Path.Combine(Path.GetDirectoryName(ThisFile())!, Snapshot.FolderName);
        var orphans = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, SnapshotPrefix + "*.verified.txt")
                .Select(f => Path.GetFileName(f)[SnapshotPrefix.Length..^".verified.txt".Length])
                .Except(ExampleNames()).ToList()
            : [];
        Assert.True(orphans.Count == 0, $"snapshots of examples that no longer exist: {string.Join(", ", orphans)}; delete them");
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
