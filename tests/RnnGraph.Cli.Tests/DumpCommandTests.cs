using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph dump</c>: the graph dump is a reviewed artifact, so it must be byte-identical run to run.</summary>
public sealed class DumpCommandTests
{
    public static TheoryData<string> Examples => ExampleNames();

    [Theory]
    [MemberData(nameof(Examples))]
    public void Text_dump_is_byte_identical_across_runs(string name)
    {
        var first = Run("dump", Example(name), "--steps", "3");
        var second = Run("dump", Example(name), "--steps", "3");

        Assert.Equal(0, first.ExitCode);
        Assert.Empty(first.Error);
        Assert.NotEmpty(first.Out);
        Assert.Equal(first.Out, second.Out);
    }

    [Theory]
    [InlineData("unrolled")]
    [InlineData("backward")]
    [InlineData("optimized")]
    public void Every_stage_dumps_deterministically(string stage)
    {
        string[] args = ["dump", Example("bigru-tagger.yaml"), "--steps", "2", "--stage", stage, "--initial-states"];
        var first = Run(args);
        var second = Run(args);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Out, second.Out);
    }

    [Fact]
    public void Backward_stage_has_more_nodes_than_the_unrolled_one()
    {
        var unrolled = Run("dump", Example("char-lstm.yaml"), "--steps", "2", "--stage", "unrolled");
        var backward = Run("dump", Example("char-lstm.yaml"), "--steps", "2", "--stage", "backward");

        Assert.True(backward.Out.Split('\n').Length > unrolled.Out.Split('\n').Length);
    }

    [Fact]
    public void Dot_format_is_a_graphviz_digraph()
    {
        var result = Run("dump", Example("mgu-custom-cell.yaml"), "--steps", "2", "--format", "dot");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("digraph", result.Out);
        Assert.EndsWith("}\n", result.Out);
        Assert.Equal(result.Out, Run("dump", Example("mgu-custom-cell.yaml"), "--steps", "2", "--format", "dot").Out);
    }

    [Fact]
    public void Out_writes_the_same_text_to_a_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("graph.txt");

        var toFile = Run("dump", Example("embed-rnn.yaml"), "--steps", "3", "--out", path);
        var toStdout = Run("dump", Example("embed-rnn.yaml"), "--steps", "3");

        Assert.Equal(0, toFile.ExitCode);
        Assert.Empty(toFile.Out);
        Assert.Equal(toStdout.Out, File.ReadAllText(path));
    }

    [Fact]
    public void Broken_spec_prints_diagnostics_and_dumps_nothing()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("spec.yaml", "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: lstn, hidden: 4 }\n");
        string path = temp.File("graph.txt");

        var result = Run("dump", spec, "--steps", "2", "--out", path);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"{spec}(5,20): error RG0201: unknown cell 'lstn'; did you mean 'lstm'?\n", result.Error);
        Assert.Empty(result.Out);
        Assert.False(File.Exists(path));
    }
}
