namespace RnnGraph.Onnx;

/// <summary>
/// A problem with an ONNX model or the inputs given to it: a one-line message that names the file and,
/// where there is one, the node (<c>node 'LSTM_3' (LSTM)</c>) and how to fix it. The CLI prints it as
/// <c>error: ...</c> with exit code 1.
/// </summary>
public sealed class OnnxException : Exception
{
    public OnnxException(string message) : base(message) { }

    public OnnxException(string message, Exception inner) : base(message, inner) { }
}
