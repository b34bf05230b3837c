using System.Collections;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Diagnostics;

/// <summary>
/// Collects diagnostics. Each stage adds its own <c>ReportXxx</c> methods (partial files here,
/// extension methods in later assemblies) so every message and code is written in one place.
/// </summary>
public sealed partial class DiagnosticBag : IEnumerable<Diagnostic>
{
    private readonly List<Diagnostic> _items = new();

    public bool HasErrors => _items.Any(d => d.IsError);
    public int Count => _items.Count;

    public void Report(string code, TextLocation? location, string message) =>
        _items.Add(new Diagnostic(DiagnosticSeverity.Error, code, location, message));

    public void ReportWarning(string code, TextLocation? location, string message) =>
        _items.Add(new Diagnostic(DiagnosticSeverity.Warning, code, location, message));

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    /// <summary>Diagnostics in source order (path, then offset), stable for equal positions.</summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        _items.Select((d, i) => (d, i))
              .OrderBy(p => p.d.Location?.Path ?? "", StringComparer.Ordinal)
              .ThenBy(p => p.d.Location?.Span.Start ?? -1)
              .ThenBy(p => p.i)
              .Select(p => p.d).ToList();

    public IEnumerator<Diagnostic> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
