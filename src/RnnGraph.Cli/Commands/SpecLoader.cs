using RnnGraph.Compiler;
using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Cli.Commands;

/// <summary>Reads and compiles a spec file, printing its diagnostics in the CONTRACT format.</summary>
internal static class SpecLoader
{
    /// <summary>The compilation, or null after printing why not (missing file, or errors in the spec).</summary>
    public static Compilation? Load(string path, TextWriter diagnosticsOut, TextWriter error)
    {
        if (!File.Exists(path))
        {
            error.WriteLine($"error: spec file '{path}' does not exist");
            return null;
        }
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot read spec file '{path}': {e.Message}");
            return null;
        }
        var compilation = Compilation.Create(new SourceText(path, text));
        var diagnostics = compilation.Diagnostics.Sorted();
        if (diagnostics.Count > 0) diagnosticsOut.Write(DiagnosticFormatter.FormatAll(diagnostics));
        return compilation.HasErrors ? null : compilation;
    }
}
