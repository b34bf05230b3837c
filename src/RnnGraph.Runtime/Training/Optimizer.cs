namespace RnnGraph.Runtime.Training;

/// <summary>What every optimizer shares: per-parameter state buffers under PyTorch's keys, the step count, saving and loading.</summary>
public abstract class Optimizer : IOptimizer
{
    private readonly string[] stateKeys;
    private float[][][] buffers = [];
    private ParameterSet? bound;
    private OptimizerState? pending;

    /// <summary>Creates an optimizer whose every parameter has one buffer per state key (e.g. <c>exp_avg</c>).</summary>
    protected Optimizer(string name, OptimizerOptions options, params string[] stateKeys)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem) throw new ArgumentException(problem, nameof(options));
        Name = name;
        Options = options;
        this.stateKeys = stateKeys;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public OptimizerOptions Options { get; }

    /// <inheritdoc/>
    public long StepCount { get; private set; }

    /// <inheritdoc/>
    public void Step(ParameterSet parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate >= 0))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate must be a number >= 0");
        Bind(parameters);
        long step = StepCount + 1;
        for (int i = 0; i < parameters.Count; i++) Update(parameters[i], buffers[i], learningRate, step);
        StepCount = step;
    }

    /// <summary>Updates one parameter at <paramref name="step"/> (1 on the first step); <paramref name="state"/> holds its buffers in state-key order.</summary>
    protected abstract void Update(Parameter parameter, float[][] state, double learningRate, long step);

    /// <inheritdoc/>
    public OptimizerState SaveState()
    {
        if (pending is not null) return Copy(pending);
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (StepCount > 0 && bound is not null)
        {
            for (int i = 0; i < bound.Count; i++)
                for (int k = 0; k < stateKeys.Length; k++) tensors.Add($"{bound[i].Name}.{stateKeys[k]}", (float[])buffers[i][k].Clone());
        }
        return new OptimizerState(StepCount, tensors);
    }

    /// <inheritdoc/>
    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(state.Tensors, nameof(state));
        if (state.Step < 0) throw new ArgumentException($"the step count is {state.Step}; it cannot be negative", nameof(state));
        if (state.Step == 0 && state.Tensors.Count > 0)
            throw new ArgumentException("a state at step 0 has no buffers: PyTorch creates them on the first step", nameof(state));
        foreach (var (key, value) in state.Tensors)
        {
            if (value is null) throw new ArgumentException($"the state buffer '{key}' is null", nameof(state));
            if (!stateKeys.Any(k => key.Length > k.Length + 1 && key.EndsWith("." + k, StringComparison.Ordinal)))
                throw new ArgumentException($"'{key}' is not a state buffer of {Name} with these options; its keys are <param>.{string.Join(", <param>.", stateKeys)}", nameof(state));
        }
        // The buffers are matched to parameters at the next step, the first moment the parameters are known.
        pending = Copy(state);
        bound = null;
        buffers = [];
        StepCount = state.Step;
    }

    /// <inheritdoc/>
    public void ZeroState()
    {
        pending = null;
        bound = null;
        buffers = [];
        StepCount = 0;
    }

    /// <summary>Creates or checks the buffers for <paramref name="parameters"/>; the same set as last time costs one comparison.</summary>
    private void Bind(ParameterSet parameters)
    {
        if (ReferenceEquals(parameters, bound)) return;
        if (bound is not null)
        {
            CheckSameLayout(bound, parameters);
            bound = parameters;
            return;
        }
        var created = new float[parameters.Count][][];
        var restoring = pending is { Step: > 0 } ? pending : null;
        for (int i = 0; i < parameters.Count; i++)
        {
            created[i] = new float[stateKeys.Length][];
            for (int k = 0; k < stateKeys.Length; k++)
                created[i][k] = restoring is null ? new float[parameters[i].Length] : Restored(restoring, parameters[i], stateKeys[k]);
        }
        if (restoring is not null && restoring.Tensors.Count != parameters.Count * stateKeys.Length) throw UnusedBuffers(restoring, parameters);
        buffers = created;
        bound = parameters;
        pending = null;
    }

    // Apart from Bind so its lambdas' closure is not allocated on Bind's every call.
    private InvalidOperationException UnusedBuffers(OptimizerState state, ParameterSet parameters)
    {
        var unknown = state.Tensors.Keys.Where(key => !parameters.Any(p => stateKeys.Any(k => key == $"{p.Name}.{k}"))).Order(StringComparer.Ordinal);
        return new InvalidOperationException($"the loaded optimizer state has buffers for parameters that are not being trained: {string.Join(", ", unknown)}");
    }

    private static float[] Restored(OptimizerState state, Parameter parameter, string stateKey)
    {
        string key = $"{parameter.Name}.{stateKey}";
        if (!state.Tensors.TryGetValue(key, out var saved))
            throw new InvalidOperationException($"the loaded optimizer state (step {state.Step}) has no '{key}'");
        if (saved.Length != parameter.Length)
            throw new InvalidOperationException($"the loaded optimizer state's '{key}' has {saved.Length} elements but {parameter} has {parameter.Length}");
        return (float[])saved.Clone();
    }

    private static void CheckSameLayout(ParameterSet before, ParameterSet now)
    {
        string? problem = before.Count != now.Count ? $"{before.Count} parameters before and {now.Count} now" : null;
        for (int i = 0; problem is null && i < now.Count; i++)
        {
            if (before[i].Name != now[i].Name || before[i].Length != now[i].Length)
                problem = $"parameter {i} was {before[i]} and is now {now[i]}";
        }
        if (problem is not null)
            throw new InvalidOperationException($"the optimizer's state belongs to other parameters ({problem}); call ZeroState to start over");
    }

    private static OptimizerState Copy(OptimizerState state) =>
        new(state.Step, state.Tensors.ToDictionary(t => t.Key, t => (float[])t.Value.Clone(), StringComparer.Ordinal));
}
