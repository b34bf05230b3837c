using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Spec;

/// <summary>Reads a spec file with YamlDotNet into the located spec model, reporting every mistake as a diagnostic.</summary>
public static class SpecReader
{
    public static SpecDocument Read(SourceText source, DiagnosticBag diagnostics) => throw new NotImplementedException();
}
