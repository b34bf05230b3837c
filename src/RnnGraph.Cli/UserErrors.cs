using RnnGraph.Onnx;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Cli;

/// <summary>
/// The exceptions that report a user's mistake or environment (bad files, data that does not fit the model):
/// each carries a one-line message the CLI prints as <c>error: ...</c> with exit code 1. Anything else is a bug.
/// </summary>
internal static class UserErrors
{
    public static bool Is(Exception e) => e is RunException or DataFileException or EvalException or RuntimeDataException
        or SafeTensorsException or OnnxException or IOException or UnauthorizedAccessException or MemoryLimitException
        or NumericFaultException;

    public static int Report(Exception e, TextWriter error)
    {
        // A numeric fault's message has the run's state and the remedies on lines of their own.
        if (e is NumericFaultException) error.WriteLine($"error {NumericFaultException.Code}: {e.Message}");
        else error.WriteLine($"error{(e is MemoryLimitException ? " " + MemoryLimitException.Code : "")}: " + e.Message.Split('\n')[0]);
        return 1;
    }
}
