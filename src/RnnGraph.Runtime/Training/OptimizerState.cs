namespace RnnGraph.Runtime.Training;

/// <summary>An optimizer's saved state: the steps taken and its buffers, named <c>&lt;param&gt;.&lt;key&gt;</c> with PyTorch's state keys.</summary>
/// <remarks>
/// Buffers exist only after the first step, as in PyTorch, whose state is created lazily; a state with
/// <see cref="Step"/> 0 has none. Keys: sgd <c>momentum_buffer</c>; adam and adamw <c>exp_avg</c>,
/// <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c> (amsgrad); rmsprop <c>square_avg</c>, <c>momentum_buffer</c>
/// (momentum &gt; 0), <c>grad_avg</c> (centered).
/// </remarks>
public sealed record OptimizerState(long Step, IReadOnlyDictionary<string, float[]> Tensors)
{
    /// <summary>The state of an optimizer that has not stepped.</summary>
    public static OptimizerState Empty { get; } = new(0, new Dictionary<string, float[]>());
}
