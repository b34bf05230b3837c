namespace RnnGraph.Cli;

/// <summary>Arguments of one command after parsing: positionals, options with values, and flags.</summary>
public sealed class ParsedArguments
{
    public List<string> Positionals { get; } = new();
    public Dictionary<string, string> Options { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Flags { get; } = new(StringComparer.Ordinal);

    /// <summary>The values of repeatable options, in command-line order.</summary>
    public Dictionary<string, List<string>> Lists { get; } = new(StringComparer.Ordinal);

    /// <summary>The values given to a repeatable option; empty when it was not given.</summary>
    public IReadOnlyList<string> List(string name) => Lists.TryGetValue(name, out var values) ? values : [];

    public string? Option(string name) => Options.GetValueOrDefault(name);

    public int IntOption(string name, int fallback, int min)
    {
        if (Options.GetValueOrDefault(name) is not { } text) return fallback;
        if (!int.TryParse(text, out int value) || value < min)
            throw new UsageException($"{name} needs an integer >= {min}, got '{text}'");
        return value;
    }

    /// <summary>Parses <paramref name="args"/> against the options a command declares; unknown options are usage errors.</summary>
    public static ParsedArguments Parse(IReadOnlyList<string> args, CommandSpec command)
    {
        var result = new ParsedArguments();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                result.Positionals.Add(arg);
                continue;
            }
            string name = arg;
            string? value = null;
            int eq = arg.IndexOf('=');
            if (eq > 0) { name = arg[..eq]; value = arg[(eq + 1)..]; }
            var option = command.Options.FirstOrDefault(o => o.Name == name)
                ?? throw new UsageException($"unknown option '{name}' for '{command.Name}'" +
                    (Dsl.Diagnostics.StringDistance.Suggest(name, command.Options.Select(o => o.Name)) is { } s ? $"; did you mean '{s}'?" : ""));
            if (option.ValueName is null)
            {
                if (value is not null) throw new UsageException($"option '{name}' takes no value");
                result.Flags.Add(name);
                continue;
            }
            if (value is null)
            {
                if (i + 1 >= args.Count) throw new UsageException($"option '{name}' needs a value: {name} {option.ValueName}");
                value = args[++i];
            }
            if (option.Choices is { } choices && !choices.Contains(value))
                throw new UsageException($"option '{name}' must be one of {string.Join(", ", choices)}, got '{value}'");
            if (option.Repeatable)
            {
                if (!result.Lists.TryGetValue(name, out var values)) result.Lists[name] = values = new List<string>();
                values.Add(value);
                continue;
            }
            result.Options[name] = value;
        }
        if (result.Positionals.Count != command.Positionals.Count)
            throw new UsageException(result.Positionals.Count < command.Positionals.Count
                ? $"'{command.Name}' needs {string.Join(" ", command.Positionals)}"
                : $"unexpected argument '{result.Positionals[command.Positionals.Count]}'");
        foreach (var option in command.Options.Where(o => o.Required && !result.Options.ContainsKey(o.Name) && !result.Lists.ContainsKey(o.Name)))
            throw new UsageException($"'{command.Name}' needs {option.Name} {option.ValueName}");
        return result;
    }
}

/// <summary>A mistake in how the command was called: the CLI prints the message and the command's usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
