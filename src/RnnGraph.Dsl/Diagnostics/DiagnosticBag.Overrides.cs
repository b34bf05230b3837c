namespace RnnGraph.Dsl.Diagnostics;

// Diagnostics of command-line overrides (--set KEY=VALUE), continuing the spec reader's codes.
// They have no location: the problem is on the command line, and each message names the assignment.
//
//   RG0027  --set '<assignment>' is not KEY=VALUE; <detail>
//   RG0028  --set <path>: the spec has <n> <items> (indices 0-<n-1>)
//           --set <path>: the spec has no <items>
//           --set <path>: '<list>' is a list; use an index 0-<n-1>
//           --set <path>: the spec has no '<path>'[; did you mean '<path>'?]
//   RG0029  --set <path>: '<parent>' is a single value, not a section or list
//   RG0030  --set <path>: '<path>' is a <section|list>, not a single value

public sealed partial class DiagnosticBag
{
    internal void ReportMalformedOverride(string assignment, string detail) =>
        Report("RG0027", null, $"--set '{assignment}' is not KEY=VALUE; {detail}");

    internal void ReportOverrideIndexOutOfRange(string path, string items, int count)
    {
        string detail = count switch
        {
            0 => $"the spec has no {items}",
            1 => $"the spec has 1 {Singular(items)} (index 0)",
            _ => $"the spec has {count} {items} (indices 0-{count - 1})",
        };
        Report("RG0028", null, $"--set {path}: {detail}");
    }

    internal void ReportOverrideNotAnIndex(string path, string list, int count) =>
        Report("RG0028", null, count == 0
            ? $"--set {path}: '{list}' is an empty list"
            : $"--set {path}: '{list}' is a list; use an index 0-{count - 1}");

    internal void ReportOverrideMissingKey(string path, string? suggestion) =>
        Report("RG0028", null, $"--set {path}: the spec has no '{path}'" + (suggestion is not null ? $"; did you mean '{suggestion}'?" : ""));

    internal void ReportOverrideThroughValue(string path, string parent) =>
        Report("RG0029", null, $"--set {path}: '{parent}' is a single value, not a section or list");

    internal void ReportOverrideNotAValue(string path, string kind) =>
        Report("RG0030", null, $"--set {path}: '{path}' is a {kind}, not a single value");

    private static string Singular(string noun) => noun.Length > 1 && noun.EndsWith('s') ? noun[..^1] : noun;
}
