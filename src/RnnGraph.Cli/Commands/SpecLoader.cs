using RnnGraph.Compiler;
using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Data;

namespace RnnGraph.Cli.Commands;

/// <summary>Reads and compiles a spec file, printing its diagnostics in the CONTRACT format.</summary>
internal static class SpecLoader
{
    /// <summary>
    /// The compilation of the spec with the <c>--set KEY=VALUE</c> <paramref name="overrides"/> applied to its text,
    /// or null after printing why not (missing file, a path the spec lacks, or errors in the spec).
    /// </summary>
    /// <summary>
    /// A spec inside a run folder (next to the run's vocab.json) binds <c>vocab: auto</c> and <c>units: auto</c>
    /// to that vocabulary, so <c>eval</c>, <c>dump</c>, <c>check</c> and <c>export</c> see the trained model's sizes; an
    /// encoder-decoder's target side binds to target-vocab.json the same way.
    /// </summary>
    private static int? RunVocabularySize(string specPath, TextWriter error, string file = "vocab.json")
    {
        string vocabulary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specPath)) ?? ".", file);
        if (!File.Exists(vocabulary)) return null;
        try { return Vocabulary.Load(vocabulary).Count; }
        catch (Exception e) when (e is DataFileException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"warning: ignoring {vocabulary}: {e.Message.Split('\n')[0]}");
            return null;
        }
    }

    public static Compilation? Load(string path, IReadOnlyList<string> overrides, TextWriter diagnosticsOut, TextWriter error)
    {
        foreach (string assignment in overrides)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0 || assignment[..eq].Trim().Length == 0)
                throw new UsageException($"--set needs KEY=VALUE, e.g. training.epochs=2; got '{assignment}'");
        }
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
        var overrideDiagnostics = new DiagnosticBag();
        var source = SpecOverrides.Apply(new SourceText(path, text), overrides, overrideDiagnostics);
        if (overrideDiagnostics.HasErrors)
        {
            diagnosticsOut.Write(DiagnosticFormatter.FormatAll(overrideDiagnostics.Sorted()));
            return null;
        }
        var compilation = Compilation.Create(source, RunVocabularySize(path, error), RunVocabularySize(path, error, RnnGraph.Runtime.Runs.EncoderDecoderData.TargetVocabularyFile));
        var diagnostics = compilation.Diagnostics.Sorted();
        if (diagnostics.Count > 0) diagnosticsOut.Write(DiagnosticFormatter.FormatAll(diagnostics));
        return compilation.HasErrors ? null : compilation;
    }
}
