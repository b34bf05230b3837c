namespace RnnGraph.Runtime.Runs;

/// <summary>A run cannot start or continue for a reason the user can fix (missing data, unsupported setting); one line.</summary>
public sealed class RunException(string message) : Exception(message);
