using System.Text;

namespace RnnGraph.Onnx;

/// <summary>
/// A problem with an ONNX model or the inputs given to it: a one-line message that names the file and,
/// where there is one, the node (<c>node 'LSTM_3' (LSTM)</c>) and how to fix it. The CLI prints it as
/// <c>error: ...</c> with exit code 1. Names come from the file, so control characters in them are shown
/// escaped (a name may not break the line or the terminal) and an overlong message is cut.
/// </summary>
public sealed class OnnxException : Exception
{
    /// <summary>The longest message kept; a model's names can be arbitrarily long.</summary>
    public const int MaxMessageLength = 2000;

    public OnnxException(string message) : base(Clean(message)) { }

    public OnnxException(string message, Exception inner) : base(Clean(message), inner) { }

    private static string Clean(string message)
    {
        var sb = new StringBuilder(Math.Min(message.Length, MaxMessageLength + 16));
        foreach (char ch in message)
        {
            if (sb.Length >= MaxMessageLength) { sb.Append(" …"); break; }
            if (!char.IsControl(ch)) sb.Append(ch);
            else sb.Append(ch switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", '\0' => "\\0", _ => $"\\u{(int)ch:x4}" });
        }
        return sb.ToString();
    }
}
