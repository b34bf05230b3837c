using System.Text;

namespace RnnGraph.Cli;

/// <summary>One option of a command: a flag when <see cref="ValueName"/> is null; a <see cref="Repeatable"/> option collects its values in order.</summary>
public sealed record OptionSpec(string Name, string? ValueName, string Help, bool Required = false, IReadOnlyList<string>? Choices = null, bool Repeatable = false)
{
    /// <summary><c>--set KEY=VALUE</c>, shared by the commands that read a spec.</summary>
    public static OptionSpec Set { get; } = new("--set", "KEY=VALUE", "override a value of the spec, e.g. training.epochs=2 (repeatable)", Repeatable: true);

    /// <summary><c>--memory-limit SIZE</c>, shared by the commands that allocate a model (applied in <see cref="CommandLineApp"/>).</summary>
    public static OptionSpec MemoryLimit { get; } = new(Runtime.Execution.MemoryLimit.Option, "SIZE",
        "refuse a model that would need more memory than this (error RG0301, before anything large is allocated): e.g. 8GB, 512MiB or 50%; " +
        $"default ${Runtime.Execution.MemoryLimit.EnvironmentVariable}, else {Runtime.Execution.MemoryLimit.DefaultFraction * 100:0}% of physical memory (or of the container's limit)");
}

/// <summary>A command's name, arguments, options and help text, from which usage and help are printed.</summary>
public sealed record CommandSpec(string Name, string Summary, IReadOnlyList<string> Positionals, IReadOnlyList<OptionSpec> Options, string? Details = null)
{
    public string Usage
    {
        get
        {
            var sb = new StringBuilder("usage: rnngraph ").Append(Name);
            foreach (var p in Positionals) sb.Append(' ').Append(p);
            foreach (var o in Options)
            {
                string text = o.ValueName is null ? o.Name : $"{o.Name} {o.ValueName}";
                sb.Append(' ').Append(o.Required ? text : $"[{text}]");
            }
            return sb.ToString();
        }
    }

    public string Help
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append(Usage).Append("\n\n").Append(Summary).Append('\n');
            if (Details is not null) sb.Append('\n').Append(Details.TrimEnd()).Append('\n');
            if (Options.Count > 0)
            {
                sb.Append("\noptions:\n");
                foreach (var o in Options)
                {
                    string text = o.ValueName is null ? o.Name : $"{o.Name} {o.ValueName}";
                    sb.Append("  ").Append(text.PadRight(26)).Append(o.Help).Append('\n');
                }
            }
            return sb.ToString();
        }
    }
}
