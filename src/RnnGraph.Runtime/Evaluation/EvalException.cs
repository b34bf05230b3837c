namespace RnnGraph.Runtime.Evaluation;

/// <summary>The weights or inputs given to <c>eval</c> do not fit the spec; the message is one line naming the tensor and the fix.</summary>
public sealed class EvalException(string message) : Exception(message);
