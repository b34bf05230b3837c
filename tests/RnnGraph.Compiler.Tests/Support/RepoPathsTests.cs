using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Support;

public sealed class RepoPathsTests
{
    [Fact]
    public void The_root_holds_the_solution_and_the_source_folders()
    {
        Assert.Contains(RepoPaths.SolutionFiles, f => File.Exists(Path.Combine(RepoPaths.Root, f)));
        Assert.True(Directory.Exists(Path.Combine(RepoPaths.Root, "src", "RnnGraph.Compiler")));
        Assert.StartsWith(RepoPaths.Root, AppContext.BaseDirectory);
    }

    [Fact]
    public void Examples_and_golden_are_the_known_folders_under_the_root()
    {
        Assert.Equal(Path.Combine(RepoPaths.Root, "examples"), RepoPaths.Examples);
        Assert.Equal(Path.Combine(RepoPaths.Root, "tests", "golden"), RepoPaths.Golden);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Golden, "README.md")));
    }

    [Fact]
    public void The_nearest_folder_with_a_solution_file_wins_and_none_is_an_error()
    {
        var root = Directory.CreateTempSubdirectory("rnngraph-repo-");
        try
        {
            string nested = Directory.CreateDirectory(Path.Combine(root.FullName, "a", "b", "c")).FullName;
            Assert.Throws<DirectoryNotFoundException>(() => RepoPaths.FindRoot(nested));

            File.WriteAllText(Path.Combine(root.FullName, "RnnGraph.sln"), "");
            Assert.Equal(root.FullName, RepoPaths.FindRoot(nested));

            File.WriteAllText(Path.Combine(root.FullName, "a", "RnnGraph.slnx"), "");
            Assert.Equal(Path.Combine(root.FullName, "a"), RepoPaths.FindRoot(nested));
        }
        finally { root.Delete(recursive: true); }
    }
}
