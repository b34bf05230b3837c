using static RnnGraph.Runtime.Training.TorchArithmetic;

namespace RnnGraph.Runtime.Training;

/// <summary>The Adam and AdamW step of PyTorch 1.13's single-tensor implementation; the two differ only in how weight decay applies.</summary>
internal sealed record AdamUpdate(double Beta1, double Beta2, double Eps, double WeightDecay, bool AmsGrad, bool Maximize, bool Decoupled)
{
    public static string[] StateKeys(bool amsGrad) => amsGrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"];

    public void Apply(Parameter parameter, float[][] state, double learningRate, long step)
    {
        float[] value = parameter.Value, grad = parameter.Grad;
        float[] expAvg = state[0], expAvgSq = state[1];
        float[]? maxExpAvgSq = AmsGrad ? state[2] : null;
        float beta1 = (float)Beta1, beta2 = (float)Beta2, oneMinusBeta1 = (float)(1 - Beta1), oneMinusBeta2 = (float)(1 - Beta2);
        float weightDecay = (float)WeightDecay, eps = (float)Eps;
        // The bias corrections and step size are Python floats (double) until a kernel takes them as float32.
        double biasCorrection1 = 1 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(Beta2, step);
        float negativeStepSize = (float)-(learningRate / biasCorrection1);
        float biasCorrection2Sqrt = (float)Math.Sqrt(biasCorrection2);
        float decay = (float)(1 - learningRate * WeightDecay);
        for (int i = 0; i < value.Length; i++)
        {
            float g = Maximize ? -grad[i] : grad[i];
            // AdamW multiplies even when the decay is zero; a factor of exactly 1 changes nothing.
            if (Decoupled) value[i] *= decay;
            else if (WeightDecay != 0) g = Add(g, value[i], weightDecay);
            expAvg[i] = Add(expAvg[i] * beta1, g, oneMinusBeta1);
            expAvgSq[i] = AddCMul(expAvgSq[i] * beta2, g, g, oneMinusBeta2);
            float second = expAvgSq[i];
            if (maxExpAvgSq is not null) second = maxExpAvgSq[i] = MathF.Max(maxExpAvgSq[i], second);
            float denominator = MathF.Sqrt(second) / biasCorrection2Sqrt + eps;
            value[i] = AddCDiv(value[i], expAvg[i], denominator, negativeStepSize);
        }
    }
}
