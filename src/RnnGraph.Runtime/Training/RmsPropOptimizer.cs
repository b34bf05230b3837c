using static RnnGraph.Runtime.Training.TorchArithmetic;

namespace RnnGraph.Runtime.Training;

/// <summary>RMSprop with optional momentum, centering and weight decay, as <c>torch.optim.RMSprop</c>.</summary>
public sealed class RmsPropOptimizer : Optimizer
{
    private readonly RmsPropOptions options;
    private readonly int momentumSlot, gradAvgSlot;

    /// <summary>Creates the optimizer; invalid options throw <see cref="ArgumentException"/> with PyTorch's message.</summary>
    public RmsPropOptimizer(RmsPropOptions? options = null)
        : base("rmsprop", options ??= new RmsPropOptions(), StateKeys(options))
    {
        this.options = options;
        momentumSlot = options.Momentum > 0 ? 1 : -1;
        gradAvgSlot = options.Centered ? (options.Momentum > 0 ? 2 : 1) : -1;
    }

    private static string[] StateKeys(RmsPropOptions options) =>
        ["square_avg", .. options.Momentum > 0 ? ["momentum_buffer"] : Array.Empty<string>(), .. options.Centered ? ["grad_avg"] : Array.Empty<string>()];

    /// <inheritdoc/>
    protected override void Update(Parameter parameter, float[][] state, double learningRate, long step)
    {
        float[] value = parameter.Value, grad = parameter.Grad, squareAvg = state[0];
        float[]? buffer = momentumSlot > 0 ? state[momentumSlot] : null;
        float[]? gradAvg = gradAvgSlot > 0 ? state[gradAvgSlot] : null;
        float alpha = (float)options.Alpha, oneMinusAlpha = (float)(1 - options.Alpha), eps = (float)options.Eps;
        float weightDecay = (float)options.WeightDecay, momentum = (float)options.Momentum, negativeLr = (float)-learningRate;
        for (int i = 0; i < value.Length; i++)
        {
            float g = options.Maximize ? -grad[i] : grad[i];
            if (options.WeightDecay != 0) g = Add(g, value[i], weightDecay);
            squareAvg[i] = AddCMul(squareAvg[i] * alpha, g, g, oneMinusAlpha);
            float average;
            if (gradAvg is not null)
            {
                gradAvg[i] = Add(gradAvg[i] * alpha, g, oneMinusAlpha);
                average = MathF.Sqrt(AddCMul(squareAvg[i], gradAvg[i], gradAvg[i], -1f));
            }
            else average = MathF.Sqrt(squareAvg[i]);
            average += eps;
            if (buffer is not null)
            {
                buffer[i] = AddCDiv(buffer[i] * momentum, g, average, 1f);
                value[i] = Add(value[i], buffer[i], negativeLr);
            }
            else value[i] = AddCDiv(value[i], g, average, negativeLr);
        }
    }
}
