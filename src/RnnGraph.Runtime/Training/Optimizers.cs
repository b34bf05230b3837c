namespace RnnGraph.Runtime.Training;

/// <summary>Creates optimizers by name, the way a spec's training section names them.</summary>
public static class Optimizers
{
    /// <summary>The names <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "adam", "adamw", "rmsprop"];

    /// <summary>The optimizer called <paramref name="name"/> with <paramref name="options"/> (PyTorch's defaults when null).</summary>
    /// <exception cref="ArgumentException">The name is unknown, the options belong to another optimizer, or an option is invalid.</exception>
    public static IOptimizer Create(string name, OptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "sgd" => new SgdOptimizer(OptionsFor<SgdOptions>(name, options)),
            "adam" => new AdamOptimizer(OptionsFor<AdamOptions>(name, options)),
            "adamw" => new AdamWOptimizer(OptionsFor<AdamWOptions>(name, options)),
            "rmsprop" => new RmsPropOptimizer(OptionsFor<RmsPropOptions>(name, options)),
            _ => throw new ArgumentException($"unknown optimizer '{name}'; expected one of {string.Join(", ", Names)}", nameof(name)),
        };
    }

    /// <summary>PyTorch's default options for the optimizer called <paramref name="name"/>.</summary>
    public static OptimizerOptions DefaultOptions(string name) => Create(name).Options;

    private static T? OptionsFor<T>(string name, OptimizerOptions? options) where T : OptimizerOptions => options switch
    {
        null => null,
        T matching => matching,
        _ => throw new ArgumentException($"optimizer '{name}' takes {typeof(T).Name}, not {options.GetType().Name}", nameof(options)),
    };
}
