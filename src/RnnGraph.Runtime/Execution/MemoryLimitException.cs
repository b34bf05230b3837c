namespace RnnGraph.Runtime.Execution;

/// <summary>
/// A model would need more memory than <see cref="MemoryLimit"/> allows (<see cref="MemoryEstimate.Check"/>), or the limit
/// itself cannot be read: a user error, reported as <see cref="Code"/> with a one-line message before anything large is allocated.
/// </summary>
public sealed class MemoryLimitException(string message) : Exception(message)
{
    public const string Code = "RG0301";
}
