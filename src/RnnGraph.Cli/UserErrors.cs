using RnnGraph.Onnx;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Cli;

/// <summary>
/// The exceptions that report a user's mistake or environment (bad files, data that does not fit the model):
/// each carries a one-line message the CLI prints as <c>error: ...</c> with exit code 1. Anything else is a bug.
/// </summary>
internal static class UserErrors
{
    public static bool Is(Exception e) => e is RunException or DataFileException or EvalException or RuntimeDataException
        or SafeTensorsException or OnnxException or IOException or UnauthorizedAccessException;

    public static int Report(Exception e, TextWriter error)
    {
        error.WriteLine("error: " + e.Message.Split('\n')[0]);
        return 1;
    }
}
