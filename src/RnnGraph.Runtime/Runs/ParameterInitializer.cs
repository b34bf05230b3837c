using RnnGraph.Compiler.Binding;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// PyTorch's default initialization, from a seeded generator: recurrent weights and biases U(-1/sqrt(H), 1/sqrt(H)),
/// dense weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)), embeddings N(0, 1).
/// </summary>
public static class ParameterInitializer
{
    public static ParameterSet PyTorchDefaults(BoundModel model, int seed)
    {
        var random = new Random(seed);
        var layers = model.Layers.ToDictionary(l => l.Name);
        var parameters = new List<Parameter>();
        foreach (var p in model.Parameters)
        {
            var values = new float[p.Dims.Aggregate(1, (a, b) => a * b)];
            switch (layers[p.Layer])
            {
                case BoundEmbedLayer:
                    for (int i = 0; i < values.Length; i++) values[i] = (float)Normal(random);
                    break;
                case BoundRnnLayer rnn:
                    Uniform(random, values, 1 / Math.Sqrt(rnn.Hidden));
                    break;
                case BoundDenseLayer dense:
                    Uniform(random, values, 1 / Math.Sqrt(dense.InputSize));
                    break;
            }
            parameters.Add(new Parameter(p.Name, p.Dims, values));
        }
        return new ParameterSet(parameters);
    }

    private static void Uniform(Random random, float[] values, double bound)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
