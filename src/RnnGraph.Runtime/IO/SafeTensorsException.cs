namespace RnnGraph.Runtime.IO;

/// <summary>A safetensors file (or tensor set to write) is invalid; the message is one line naming the file and the problem.</summary>
public sealed class SafeTensorsException : Exception
{
    public SafeTensorsException(string message) : base(message) { }

    public SafeTensorsException(string message, Exception inner) : base(message, inner) { }
}
