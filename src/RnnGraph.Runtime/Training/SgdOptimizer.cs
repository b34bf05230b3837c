using static RnnGraph.Runtime.Training.TorchArithmetic;

namespace RnnGraph.Runtime.Training;

/// <summary>Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay, as <c>torch.optim.SGD</c>.</summary>
public sealed class SgdOptimizer : Optimizer
{
    private readonly SgdOptions options;

    /// <summary>Creates the optimizer; invalid options throw <see cref="ArgumentException"/> with PyTorch's message.</summary>
    public SgdOptimizer(SgdOptions? options = null)
        : base("sgd", options ??= new SgdOptions(), options.Momentum != 0 ? ["momentum_buffer"] : [])
    {
        this.options = options;
    }

    /// <inheritdoc/>
    protected override void Update(Parameter parameter, float[][] state, double learningRate, long step)
    {
        float[] value = parameter.Value, grad = parameter.Grad;
        float weightDecay = (float)options.WeightDecay, momentum = (float)options.Momentum;
        float keep = (float)(1 - options.Dampening), negativeLr = (float)-learningRate;
        float[]? buffer = state.Length > 0 ? state[0] : null;
        // PyTorch starts the buffer as a copy of the first direction, undamped.
        bool first = step == 1;
        for (int i = 0; i < value.Length; i++)
        {
            float direction = options.Maximize ? -grad[i] : grad[i];
            if (options.WeightDecay != 0) direction = Add(direction, value[i], weightDecay);
            if (buffer is not null)
            {
                buffer[i] = first ? direction : Add(buffer[i] * momentum, direction, keep);
                direction = options.Nesterov ? Add(direction, buffer[i], momentum) : buffer[i];
            }
            value[i] = Add(value[i], direction, negativeLr);
        }
    }
}
