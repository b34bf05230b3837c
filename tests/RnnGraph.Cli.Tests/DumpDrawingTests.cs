using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using RnnGraph.Cli.Rendering;
using RnnGraph.TestSupport;
using static RnnGraph.Cli.Tests.CliRunner;

namespace RnnGraph.Cli.Tests;

/// <summary>
/// <c>rnngraph dump --format dot|svg [--full]</c>: the drawing of a graph. The SVG tests need Graphviz's <c>dot</c>;
/// without it they check the one-line error instead, so they always assert something.
/// </summary>
public sealed partial class DumpDrawingTests
{
    private const string TwoLayerRnn = "model:\n  inputs:\n    x: { size: 3 }\n  layers:\n    - rnn: { cell: rnn_tanh, hidden: 2, layers: 2 }\n";
    private static readonly string MissingDotLine = "rnngraph: " + GraphDrawing.MissingDotMessage + "\n";

    [Fact]
    public void Svg_is_xml_with_one_node_group_per_drawn_node()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("model.yaml", TwoLayerRnn);
        var svg = Run("dump", spec, "--steps", "3", "--stage", "backward", "--format", "svg");

        if (GraphDrawing.FindDot() is null)
        {
            Assert.Equal(1, svg.ExitCode);
            Assert.Equal(MissingDotLine, svg.Error);
            Assert.Empty(svg.Out);
            return;
        }
        Assert.Equal(0, svg.ExitCode);
        Assert.Empty(svg.Error);
        var dot = Run("dump", spec, "--steps", "3", "--stage", "backward", "--format", "dot");
        // Every declared node but the invisible column anchors is drawn.
        var declared = NodeDeclaration().Matches(dot.Out).Select(m => m.Groups[1].Value)
                                        .Where(id => !id.StartsWith("anchor_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

        XNamespace ns = "http://www.w3.org/2000/svg";
        var document = XDocument.Parse(svg.Out);
        Assert.Equal(ns + "svg", document.Root!.Name);
        var nodeTitles = document.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "node")
                                 .Select(g => g.Element(ns + "title")!.Value).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(declared, nodeTitles);
        Assert.Contains("n0", nodeTitles);
    }

    [Fact]
    public void Svg_out_writes_the_file_or_nothing()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("model.yaml", TwoLayerRnn);
        string path = temp.File("graph.svg");

        var result = Run("dump", spec, "--steps", "2", "--format", "svg", "--out", path);

        Assert.Empty(result.Out);
        if (GraphDrawing.FindDot() is null)
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Equal(MissingDotLine, result.Error);
            Assert.False(File.Exists(path));
            return;
        }
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("svg", XDocument.Load(path).Root!.Name.LocalName);
        Assert.Empty(Directory.GetFiles(temp.Path, ".*.tmp"));
    }

    [Fact]
    public void Rendering_without_dot_on_the_path_fails_with_the_one_line_message()
    {
        using var temp = new TempFolder();

        bool rendered = GraphDrawing.TryRenderSvg("digraph { a -> b; }\n", out string svg, out string? error, searchPath: temp.Path);

        Assert.False(rendered);
        Assert.Empty(svg);
        Assert.Equal(GraphDrawing.MissingDotMessage, error);
        Assert.Null(GraphDrawing.FindDot(temp.Path));
    }

    [Fact]
    public void Dot_rejecting_its_input_is_a_one_line_error()
    {
        bool rendered = GraphDrawing.TryRenderSvg("this is not dot {", out string svg, out string? error);

        Assert.False(rendered);
        Assert.Empty(svg);
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
        if (GraphDrawing.FindDot() is null) Assert.Equal(GraphDrawing.MissingDotMessage, error);
        else Assert.StartsWith("'dot' exited with code ", error);
    }

    [Fact]
    public void Cli_with_a_path_without_dot_prints_the_message_and_exits_1()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("model.yaml", TwoLayerRnn);
        string emptyFolder = Directory.CreateDirectory(temp.File("bin")).FullName;

        var (exitCode, stdout, stderr) = RunCliProcess(emptyFolder, "dump", spec, "--steps", "2", "--format", "svg");

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Equal(MissingDotLine, stderr.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Long_unrollings_collapse_unless_full()
    {
        using var temp = new TempFolder();
        string spec = temp.Write("model.yaml", TwoLayerRnn);

        var collapsed = Run("dump", spec, "--steps", "12", "--stage", "unrolled", "--format", "dot");
        var full = Run("dump", spec, "--steps", "12", "--stage", "unrolled", "--format", "dot", "--full");

        Assert.Equal(0, collapsed.ExitCode);
        Assert.Contains("subgraph cluster_middle", collapsed.Out);
        Assert.Contains("… 8 steps …", collapsed.Out);
        Assert.DoesNotContain("subgraph cluster_t5 {", collapsed.Out);
        Assert.Equal(0, full.ExitCode);
        Assert.DoesNotContain("cluster_middle", full.Out);
        foreach (int step in Enumerable.Range(0, 12)) Assert.Contains($"subgraph cluster_t{step} {{", full.Out);
        Assert.Equal(collapsed.Out, Run("dump", spec, "--steps", "12", "--stage", "unrolled", "--format", "dot").Out);
    }

    [Fact]
    public void Help_describes_svg_and_full()
    {
        var help = Run("dump", "--help");

        Assert.Contains("text | dot | svg", help.Out + help.Error);
        Assert.Contains("--full", help.Out + help.Error);
    }

    /// <summary>Runs the built CLI in its own process with <paramref name="path"/> as the whole PATH.</summary>
    private static (int ExitCode, string Out, string Error) RunCliProcess(string path, params string[] args)
    {
        // .../tests/RnnGraph.Cli.Tests/bin/<Configuration>/<tfm>/ → .../src/RnnGraph.Cli/bin/<Configuration>/<tfm>/rnngraph.dll
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        string cli = Path.Combine(RepoPaths.Root, "src", "RnnGraph.Cli", "bin", output.Parent!.Name, output.Name, "rnngraph.dll");
        Assert.True(File.Exists(cli), $"the CLI is not built at {cli}");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath!;
        Assert.True(Path.IsPathRooted(host) && File.Exists(host), $"no dotnet host at {host}");

        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["PATH"] = path;
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "rnngraph did not finish within a minute");
        return (process.ExitCode, stdout, stderr.Result);
    }

    [GeneratedRegex(@"^\s*(n\d+|out\d+|mid\d+|legend_\w+|anchor_\w+) \[", RegexOptions.Multiline)]
    private static partial Regex NodeDeclaration();
}
