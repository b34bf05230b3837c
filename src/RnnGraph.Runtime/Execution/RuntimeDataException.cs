namespace RnnGraph.Runtime.Execution;

/// <summary>The data given to a run does not fit the model (wrong shape, missing tensor, id out of range): a user error with a one-line message.</summary>
public sealed class RuntimeDataException(string message) : Exception(message);
