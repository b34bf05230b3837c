using System.Globalization;

namespace RnnGraph.Runtime.Execution;

/// <summary>
/// The memory a model may need before the runtime refuses it (<see cref="MemoryEstimate"/>): <c>--memory-limit</c>
/// for the current command (<see cref="Use"/>), else <c>RNNGRAPH_MEMORY_LIMIT</c>, else 80% of the memory the process
/// may use (physical memory, or the container's limit).
/// </summary>
/// <param name="Bytes">The limit in bytes.</param>
/// <param name="Source">Where it comes from, as the refusal names it: "80% of physical memory", "--memory-limit 8GB".</param>
public sealed record MemoryLimit(long Bytes, string Source)
{
    public const string EnvironmentVariable = "RNNGRAPH_MEMORY_LIMIT";
    public const string Option = "--memory-limit";
    public const double DefaultFraction = 0.8;

    /// <summary>What a limit is written as, for help texts and errors.</summary>
    public const string Syntax = "bytes with an optional unit (KB, MB, GB, TB; KiB, MiB, GiB, TiB), e.g. 8GB, or a percentage of physical memory, e.g. 50%";

    // A flow-local override, so one command (or test) setting a limit does not change another's running beside it.
    private static readonly AsyncLocal<MemoryLimit?> Override = new();

    /// <summary>The limit in force: <see cref="Use"/>'s, else the environment variable's, else the default.</summary>
    /// <exception cref="MemoryLimitException">The environment variable is set but cannot be read as a limit.</exception>
    public static MemoryLimit Current
    {
        get
        {
            if (Override.Value is { } set) return set;
            string? text = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (string.IsNullOrWhiteSpace(text)) return Default;
            return Parse(text, $"{EnvironmentVariable}={text.Trim()}", out string? error)
                ?? throw new MemoryLimitException($"{EnvironmentVariable}: {error}");
        }
    }

    /// <summary>The memory the process may use (the GC honours a container's limit).</summary>
    public static long PhysicalBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public static MemoryLimit Default =>
        new((long)(PhysicalBytes * DefaultFraction), $"{DefaultFraction * 100:0}% of physical memory");

    /// <summary>Sets the limit for the calling flow (and what it starts) until the result is disposed.</summary>
    public static IDisposable Use(MemoryLimit limit)
    {
        var previous = Override.Value;
        Override.Value = limit;
        return new Restore(previous);
    }

    private sealed class Restore(MemoryLimit? previous) : IDisposable
    {
        public void Dispose() => Override.Value = previous;
    }

    /// <summary>
    /// Reads <paramref name="text"/> (<see cref="Syntax"/>) as a limit that <paramref name="source"/> set; null with
    /// <paramref name="error"/> saying why when it is not one.
    /// </summary>
    public static MemoryLimit? Parse(string text, string source, out string? error)
    {
        error = null;
        string s = text.Trim();
        if (s.EndsWith('%'))
        {
            if (double.TryParse(s[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double percent) && percent > 0 && percent <= 100)
                return new MemoryLimit((long)(PhysicalBytes * percent / 100), source + " of physical memory");
            error = $"'{text}' is not a percentage in (0, 100]";
            return null;
        }
        int unitStart = s.Length;
        while (unitStart > 0 && char.IsLetter(s[unitStart - 1])) unitStart--;
        string unit = s[unitStart..].ToUpperInvariant();
        double scale = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1e3,
            "M" or "MB" => 1e6,
            "G" or "GB" => 1e9,
            "T" or "TB" => 1e12,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            "TIB" => 1L << 40,
            _ => double.NaN,
        };
        if (!double.IsNaN(scale) && double.TryParse(s[..unitStart].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            && value > 0 && value * scale < long.MaxValue)
            return new MemoryLimit((long)(value * scale), source);
        error = $"'{text}' is not a memory size; give {Syntax}";
        return null;
    }

    /// <summary>Bytes in decimal units with three significant digits at most: 3.7 TB, 16.0 GB, 512 MB.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
        double value = bytes;
        int unit = 0;
        while (value >= 999.5 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes} bytes"
            : value.ToString(value >= 99.95 ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
