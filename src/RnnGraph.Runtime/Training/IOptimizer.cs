namespace RnnGraph.Runtime.Training;

/// <summary>Updates parameters from their gradients one step at a time, exactly as the PyTorch optimizer of the same name.</summary>
/// <remarks>
/// The learning rate is an argument of every step, not an option, so a schedule can supply it. State is
/// created on the first step for the parameter set it sees; later steps must pass parameters with the same
/// names and sizes.
/// </remarks>
public interface IOptimizer
{
    /// <summary>The factory name: sgd, adam, adamw or rmsprop.</summary>
    string Name { get; }

    /// <summary>The options the optimizer was created with.</summary>
    OptimizerOptions Options { get; }

    /// <summary>The number of steps taken (restored by <see cref="LoadState"/>).</summary>
    long StepCount { get; }

    /// <summary>Updates every parameter's <see cref="Parameter.Value"/> from its <see cref="Parameter.Grad"/>; the gradients are left as they are.</summary>
    void Step(ParameterSet parameters, double learningRate);

    /// <summary>A copy of the state: the step count and buffers named <c>&lt;param&gt;.&lt;key&gt;</c> with PyTorch's keys (e.g. <c>exp_avg</c>).</summary>
    OptimizerState SaveState();

    /// <summary>Replaces the state with a copy of a saved one, so the next step continues that run exactly; the buffers are checked against the parameters at that step.</summary>
    void LoadState(OptimizerState state);

    /// <summary>Forgets all state, as a newly created optimizer.</summary>
    void ZeroState();
}
