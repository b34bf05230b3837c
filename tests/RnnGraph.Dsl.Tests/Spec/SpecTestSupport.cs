using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>Reads inline YAML and checks diagnostics by their full first line: path, line, column, code and message.</summary>
internal static class SpecTestSupport
{
    public static (SpecDocument Document, DiagnosticBag Diagnostics) Read(string yaml)
    {
        var bag = new DiagnosticBag();
        var document = SpecReader.Read(new SourceText("spec.yaml", yaml), bag);
        return (document, bag);
    }

    /// <summary>The diagnostics of <paramref name="yaml"/> as <c>spec.yaml(line,col): error RGxxxx: message</c>, in source order.</summary>
    public static string[] Errors(string yaml) => Read(yaml).Diagnostics.Sorted().Select(d => d.ToString()).ToArray();

    /// <summary>Asserts that reading <paramref name="yaml"/> reports exactly <paramref name="expected"/>.</summary>
    public static void AssertErrors(string yaml, params string[] expected) => Assert.Equal(expected, Errors(yaml));

    /// <summary>A valid model section to append cells or other sections to.</summary>
    public const string MinimalModel = """
        model:
          inputs:
            x: { size: 4 }
          layers:
            - rnn: { cell: gru, hidden: 3 }

        """;

    /// <summary>The text a location covers.</summary>
    public static string TextOf(TextLocation location) => location.Source.ToString(location.Span);
}
