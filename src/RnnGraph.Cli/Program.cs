namespace RnnGraph.Cli;

/// <summary>Entry point of the <c>rnngraph</c> command.</summary>
public static class Program
{
    public static int Main(string[] args) => CommandLineApp.Run(args, Console.Out, Console.Error);
}
