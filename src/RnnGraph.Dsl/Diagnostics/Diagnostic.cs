using RnnGraph.Dsl.Text;

namespace RnnGraph.Dsl.Diagnostics;

public enum DiagnosticSeverity { Error, Warning }

/// <summary>One problem found in a user's input: a code such as RG0001, a location and a message.</summary>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Code, TextLocation? Location, string Message)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The first line of the CONTRACT format: <c>path(line,col): error RG0001: message</c>.</summary>
    public override string ToString()
    {
        string severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return Location is { } loc
            ? $"{loc.Path}({loc.Line},{loc.Column}): {severity} {Code}: {Message}"
            : $"{severity} {Code}: {Message}";
    }
}
