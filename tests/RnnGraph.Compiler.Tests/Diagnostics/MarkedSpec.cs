using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Tests.Diagnostics;

/// <summary>
/// A test spec whose expected diagnostic spans are marked inline with <c>«...»</c> (minsk marks
/// them with <c>[...]</c>, which YAML needs for its lists). The markers are stripped before compiling.
/// </summary>
internal sealed record MarkedSpec(string Yaml, IReadOnlyList<TextSpan> Spans)
{
    public const string Open = "«";
    public const string Close = "»";

    public static MarkedSpec Parse(string marked)
    {
        var text = new System.Text.StringBuilder();
        var spans = new List<TextSpan>();
        int? start = null;
        foreach (char c in marked.ReplaceLineEndings("\n"))
        {
            if (c == Open[0])
            {
                Assert.Null(start);
                start = text.Length;
            }
            else if (c == Close[0])
            {
                Assert.NotNull(start);
                spans.Add(TextSpan.FromBounds(start.Value, text.Length));
                start = null;
            }
            else
            {
                text.Append(c);
            }
        }
        Assert.Null(start);
        return new MarkedSpec(text.ToString(), spans);
    }
}

/// <summary>Compiles a marked spec and compares its diagnostics with the exact text <c>rnngraph check</c> prints.</summary>
internal static class DiagnosticAssert
{
    /// <summary>The sorted diagnostics of <paramref name="yaml"/>; <paramref name="targetVocabularySize"/> binds as a run does once it has read an encoder-decoder's pairs.</summary>
    public static IReadOnlyList<Diagnostic> Compile(string yaml, int? targetVocabularySize = null) =>
        Compilation.Create(new SourceText("spec.yaml", yaml), targetVocabularySize: targetVocabularySize).Diagnostics.Sorted();

    /// <summary>
    /// Asserts that <paramref name="markedYaml"/> reports exactly the diagnostics in
    /// <paramref name="expected"/> (the CONTRACT format: header line, source line, marker line),
    /// and that the i-th diagnostic covers the i-th <c>«...»</c> span.
    /// </summary>
    public static void Reports(string markedYaml, string expected, int? targetVocabularySize = null)
    {
        var spec = MarkedSpec.Parse(markedYaml);
        var diagnostics = Compile(spec.Yaml, targetVocabularySize);

        Assert.Equal(expected.ReplaceLineEndings("\n") + "\n", DiagnosticFormatter.FormatAll(diagnostics));
        Assert.Equal(spec.Spans, diagnostics.Select(d => d.Location!.Value.Span).ToList());
        Assert.All(diagnostics, d => Assert.True(d.IsError, d.ToString()));
    }
}
