using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Cells;

/// <summary>
/// The built-in cells, read from the embedded <c>builtin-cells.yaml</c> with the same reader and
/// binder as user cells: the compiler itself knows only primitive ops.
/// </summary>
public static class CellLibrary
{
    public const string SourcePath = "builtin:cells.yaml";

    private static readonly Lazy<IReadOnlyDictionary<string, CellSpec>> Cells = new(Load);

    public static IReadOnlyDictionary<string, CellSpec> Builtin => Cells.Value;

    /// <summary>The embedded YAML text (for docs and tests).</summary>
    public static string Text
    {
        get
        {
            using var stream = typeof(CellLibrary).Assembly.GetManifestResourceStream("RnnGraph.Compiler.builtin-cells.yaml")
                ?? throw new InvalidOperationException("builtin-cells.yaml is not embedded in the compiler assembly");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    private static IReadOnlyDictionary<string, CellSpec> Load()
    {
        var bag = new DiagnosticBag();
        var document = SpecReader.ReadCellLibrary(new SourceText(SourcePath, Text), bag);
        if (bag.HasErrors)
            throw new InvalidOperationException("the built-in cell library does not parse:\n" + DiagnosticFormatter.FormatAll(bag.Sorted()));
        return document.Cells.ToDictionary(c => c.Name.Value, StringComparer.Ordinal);
    }
}
