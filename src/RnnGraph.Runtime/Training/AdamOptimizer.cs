namespace RnnGraph.Runtime.Training;

/// <summary>Adam with L2 weight decay and optional AMSGrad, as <c>torch.optim.Adam</c>.</summary>
public sealed class AdamOptimizer : Optimizer
{
    private readonly AdamUpdate update;

    /// <summary>Creates the optimizer; invalid options throw <see cref="ArgumentException"/> with PyTorch's message.</summary>
    public AdamOptimizer(AdamOptions? options = null)
        : base("adam", options ??= new AdamOptions(), AdamUpdate.StateKeys(options.AmsGrad))
    {
        update = new AdamUpdate(options.Beta1, options.Beta2, options.Eps, options.WeightDecay, options.AmsGrad, options.Maximize, Decoupled: false);
    }

    /// <inheritdoc/>
    protected override void Update(Parameter parameter, float[][] state, double learningRate, long step) =>
        update.Apply(parameter, state, learningRate, step);
}

/// <summary>Adam with decoupled weight decay and optional AMSGrad, as <c>torch.optim.AdamW</c>.</summary>
public sealed class AdamWOptimizer : Optimizer
{
    private readonly AdamUpdate update;

    /// <summary>Creates the optimizer; invalid options throw <see cref="ArgumentException"/> with PyTorch's message.</summary>
    public AdamWOptimizer(AdamWOptions? options = null)
        : base("adamw", options ??= new AdamWOptions(), AdamUpdate.StateKeys(options.AmsGrad))
    {
        update = new AdamUpdate(options.Beta1, options.Beta2, options.Eps, options.WeightDecay, options.AmsGrad, options.Maximize, Decoupled: true);
    }

    /// <inheritdoc/>
    protected override void Update(Parameter parameter, float[][] state, double learningRate, long step) =>
        update.Apply(parameter, state, learningRate, step);
}
