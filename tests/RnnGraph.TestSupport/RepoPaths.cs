namespace RnnGraph.TestSupport;

/// <summary>
/// Well-known folders of the repository, found by walking up from the test binaries
/// (<see cref="AppContext.BaseDirectory"/>) to the folder that holds the solution file.
/// </summary>
public static class RepoPaths
{
    /// <summary>Solution file names that mark the repository root (the classic and the XML form).</summary>
    public static readonly IReadOnlyList<string> SolutionFiles = ["RnnGraph.sln", "RnnGraph.slnx"];

    private static readonly Lazy<string> RootPath = new(() => FindRoot(AppContext.BaseDirectory));

    /// <summary>The repository root: the nearest ancestor of the test binaries holding RnnGraph.sln(x).</summary>
    public static string Root => RootPath.Value;

    /// <summary>The runnable example specs, <c>examples/</c>.</summary>
    public static string Examples => Path.Combine(Root, "examples");

    /// <summary>Reference data generated outside .NET (PyTorch), <c>tests/golden/</c>.</summary>
    public static string Golden => Path.Combine(Root, "tests", "golden");

    /// <summary>The nearest directory at or above <paramref name="start"/> containing a solution file; throws if there is none.</summary>
    public static string FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (SolutionFiles.Any(f => File.Exists(Path.Combine(dir.FullName, f)))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no {string.Join(" or ", SolutionFiles)} found in '{start}' or any folder above it");
    }
}
