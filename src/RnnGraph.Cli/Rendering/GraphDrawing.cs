using System.Diagnostics;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Printing;

namespace RnnGraph.Cli.Rendering;

/// <summary>
/// Drawings of a compiled graph for people: Graphviz DOT from <see cref="GraphDotPrinter"/>, and SVG rendered by
/// Graphviz's <c>dot</c> when it is on PATH. Reusable by any report that embeds the picture of a graph.
/// </summary>
public static class GraphDrawing
{
    /// <summary>The one-line message shown when SVG is asked for and <c>dot</c> cannot be found.</summary>
    public const string MissingDotMessage =
        "--format svg needs Graphviz's 'dot' on PATH (apt-get install graphviz), or use --format dot and render it elsewhere";

    /// <summary>How long <c>dot</c> may take before the rendering is abandoned.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The graph as Graphviz DOT (see <see cref="DotOptions"/> for the collapse of long unrollings).</summary>
    public static string Dot(Graph graph, DotOptions? options = null) => GraphDotPrinter.Print(graph, options ?? DotOptions.Default);

    /// <summary>The full path of Graphviz's <c>dot</c> on the given PATH (default: this process's), or null.</summary>
    public static string? FindDot(string? searchPath = null)
    {
        searchPath ??= Environment.GetEnvironmentVariable("PATH") ?? "";
        string name = OperatingSystem.IsWindows() ? "dot.exe" : "dot";
        foreach (string folder in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Renders DOT to SVG with <c>dot -Tsvg</c> (DOT on standard input, SVG on standard output). On failure returns
    /// false with a one-line <paramref name="error"/>: <see cref="MissingDotMessage"/> when <c>dot</c> is not on PATH.
    /// </summary>
    public static bool TryRenderSvg(string dot, out string svg, out string? error, TimeSpan? timeout = null, string? searchPath = null)
    {
        svg = "";
        error = null;
        string? executable = FindDot(searchPath);
        if (executable is null)
        {
            error = MissingDotMessage;
            return false;
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-Tsvg");
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                error = $"could not start '{executable}'";
                return false;
            }
            // Read both streams while writing, so a large drawing cannot fill a pipe and stall dot.
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(dot);
            process.StandardInput.Close();
            if (!process.WaitForExit(timeout ?? DefaultTimeout))
            {
                process.Kill(entireProcessTree: true);
                error = $"'dot' did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s";
                return false;
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string detail = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
                error = $"'dot' exited with code {process.ExitCode}{(detail.Length > 0 ? ": " + detail.Trim() : "")}";
                return false;
            }
            svg = stdout.Result;
            return true;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            error = $"could not run '{executable}': {e.Message.Split('\n')[0]}";
            return false;
        }
    }

    /// <summary>The graph drawn as SVG: <see cref="Dot"/> then <see cref="TryRenderSvg"/>.</summary>
    public static bool TrySvg(Graph graph, DotOptions? options, out string svg, out string? error) =>
        TryRenderSvg(Dot(graph, options), out svg, out error);
}
