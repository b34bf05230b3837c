using System.Reflection;
using RnnGraph.Cli.Commands;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Cli;

/// <summary>Dispatches <c>rnngraph COMMAND ...</c>; usage mistakes print usage (exit 2), never a stack trace.</summary>
public static class CommandLineApp
{
    public static IReadOnlyList<ICommand> Commands { get; } =
        [new BenchCommand(), new CheckCommand(), new DumpCommand(), new EvalCommand(), new ExportCommand(), new GradcheckCommand(),
         new GradflowCommand(),
         new ImportCommand(), new SummaryCommand(),
         new RunCommand(), new PredictCommand(), new SampleCommand(), new SchemaCommand()];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var context = new CliContext(stdout, stderr);
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            if (args.Length > 1 && Find(args[1]) is { } topic) { stdout.Write(topic.Spec.Help); return 0; }
            stdout.Write(Overview());
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "--version")
        {
            stdout.WriteLine("rnngraph " + typeof(CommandLineApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]);
            return 0;
        }
        var command = Find(args[0]);
        if (command is null)
        {
            string? suggestion = Dsl.Diagnostics.StringDistance.Suggest(args[0], Commands.Select(c => c.Spec.Name));
            stderr.WriteLine($"error: unknown command '{args[0]}'" + (suggestion is not null ? $"; did you mean '{suggestion}'?" : ""));
            stderr.Write(Overview());
            return 2;
        }
        if (args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            stdout.Write(command.Spec.Help);
            return 0;
        }
        try
        {
            var parsed = ParsedArguments.Parse(args.Skip(1).ToList(), command.Spec);
            using var limit = LimitMemory(parsed);
            return command.Execute(parsed, context);
        }
        catch (Exception e) when (UserErrors.Is(e))
        {
            return UserErrors.Report(e, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine("error: " + e.Message);
            stderr.WriteLine(command.Spec.Usage);
            stderr.WriteLine($"run 'rnngraph {command.Spec.Name} --help' for details");
            return 2;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("RNNGRAPH_DEBUG") != "1")
        {
            // A bug in rnngraph, not the user's mistake: one line, and how to get the details.
            stderr.WriteLine($"internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            stderr.WriteLine("this is a bug in rnngraph; rerun with RNNGRAPH_DEBUG=1 for the stack trace and report it");
            return 70;
        }
    }

    /// <summary>Applies <c>--memory-limit</c> to the command's flow, or nothing without it.</summary>
    private static IDisposable? LimitMemory(ParsedArguments parsed)
    {
        if (parsed.Option(MemoryLimit.Option) is not { } text) return null;
        var limit = MemoryLimit.Parse(text, $"{MemoryLimit.Option} {text}", out string? error)
            ?? throw new UsageException($"{MemoryLimit.Option}: {error}");
        return MemoryLimit.Use(limit);
    }

    private static ICommand? Find(string name) => Commands.FirstOrDefault(c => c.Spec.Name == name);

    private static string Overview() =>
        "rnngraph: compile recurrent-network specs into graphs and run them\n\nusage: rnngraph COMMAND [ARGS]\n\ncommands:\n" +
        string.Concat(Commands.Select(c => $"  {c.Spec.Name,-10} {c.Spec.Summary.Split('\n')[0]}\n")) +
        "\nrun 'rnngraph COMMAND --help' for a command's options\n";
}
