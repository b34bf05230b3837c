using RnnGraph.Compiler.Binding;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// The weight initializations of <c>training.init</c>, each from a generator seeded by <c>training.seed</c>:
/// <c>default</c> is PyTorch's (<see cref="PyTorchDefaults"/>), <c>xavier</c> is <see cref="Xavier"/> and
/// <c>orthogonal</c> is <see cref="Orthogonal"/>.
/// </summary>
public static class ParameterInitializer
{
    /// <summary>The initialization named by <paramref name="init"/> (<c>default</c>, <c>xavier</c> or <c>orthogonal</c>).</summary>
    public static ParameterSet Create(BoundModel model, string init, int seed) => init switch
    {
        "default" => PyTorchDefaults(model, seed),
        "xavier" => Xavier(model, seed),
        "orthogonal" => Orthogonal(model, seed),
        _ => throw new ArgumentOutOfRangeException(nameof(init), init, "expected default, xavier or orthogonal"),
    };

    /// <summary>
    /// PyTorch's default initialization: recurrent weights and biases U(-1/sqrt(H), 1/sqrt(H)),
    /// dense weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)), embeddings N(0, 1).
    /// </summary>
    public static ParameterSet PyTorchDefaults(BoundModel model, int seed)
    {
        var random = new Random(seed);
        var layers = model.Layers.ToDictionary(l => l.Name);
        var parameters = new List<Parameter>();
        foreach (var p in model.Parameters)
        {
            var values = new float[Count(p)];
            switch (layers.GetValueOrDefault(p.Layer))
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
                default:
                    // Parameters of no layer (attention pooling) initialize like a linear layer: U(±1/sqrt(fan_in)).
                    Uniform(random, values, 1 / Math.Sqrt(p.Dims[^1]));
                    break;
            }
            parameters.Add(new Parameter(p.Name, p.Dims, values));
        }
        return new ParameterSet(parameters);
    }

    /// <summary>
    /// <c>torch.nn.init.xavier_uniform_</c> on every 2-D weight of the recurrent and dense layers:
    /// U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), fan_in the columns and fan_out the rows;
    /// biases 0; embeddings N(0, 1); other 1-D weights (peepholes) as PyTorch's default.
    /// </summary>
    public static ParameterSet Xavier(BoundModel model, int seed) => Build(model, seed, orthogonalRecurrent: false);

    /// <summary>
    /// As <see cref="Xavier"/>, but each H×H gate block of a recurrent weight <c>weight_hh*</c> is an orthogonal matrix
    /// (<c>torch.nn.init.orthogonal_</c> per block).
    /// </summary>
    public static ParameterSet Orthogonal(BoundModel model, int seed) => Build(model, seed, orthogonalRecurrent: true);

    private static ParameterSet Build(BoundModel model, int seed, bool orthogonalRecurrent)
    {
        var random = new Random(seed);
        var layers = model.Layers.ToDictionary(l => l.Name);
        var parameters = new List<Parameter>();
        foreach (var p in model.Parameters)
        {
            var values = new float[Count(p)];
            string local = p.Name.StartsWith(p.Layer + ".", StringComparison.Ordinal) ? p.Name[(p.Layer.Length + 1)..] : p.Name;
            var layer = layers.GetValueOrDefault(p.Layer);
            if (layer is BoundEmbedLayer)
            {
                for (int i = 0; i < values.Length; i++) values[i] = (float)Normal(random);
            }
            else if (local.StartsWith("bias", StringComparison.Ordinal))
            {
                // Zeros already.
            }
            else if (p.Dims.Length == 2)
            {
                int rows = p.Dims[0], cols = p.Dims[1];
                if (orthogonalRecurrent && layer is BoundRnnLayer && local.StartsWith("weight_hh", StringComparison.Ordinal))
                    OrthogonalBlocks(random, values, rows, cols);
                else
                    Uniform(random, values, Math.Sqrt(6.0 / (rows + cols)));
            }
            else
            {
                double bound = layer switch
                {
                    BoundRnnLayer rnn => 1 / Math.Sqrt(rnn.Hidden),
                    BoundDenseLayer dense => 1 / Math.Sqrt(dense.InputSize),
                    _ => 1 / Math.Sqrt(p.Dims[^1]),
                };
                Uniform(random, values, bound);
            }
            parameters.Add(new Parameter(p.Name, p.Dims, values));
        }
        return new ParameterSet(parameters);
    }

    /// <summary>
    /// A [G·C, C] stacked matrix gets G orthogonal C×C blocks; any other shape is one (semi-)orthogonal matrix.
    /// Row-major <paramref name="values"/>.
    /// </summary>
    private static void OrthogonalBlocks(Random random, float[] values, int rows, int cols)
    {
        int blockRows = cols > 0 && rows % cols == 0 ? cols : rows;
        for (int start = 0; start < rows; start += blockRows)
        {
            var block = OrthogonalMatrix(random, blockRows, cols);
            for (int r = 0; r < blockRows; r++)
                for (int c = 0; c < cols; c++)
                    values[(start + r) * cols + c] = (float)block[r, c];
        }
    }

    /// <summary>
    /// <c>torch.nn.init.orthogonal_</c>: the Q of a QR of a standard Gaussian matrix (transposed when wider than tall),
    /// times sign(diag(R)). Modified Gram-Schmidt gives the thin QR whose R has a positive diagonal, which is
    /// exactly that sign-corrected Q.
    /// </summary>
    internal static double[,] OrthogonalMatrix(Random random, int rows, int cols)
    {
        bool transpose = rows < cols;
        int m = transpose ? cols : rows, n = transpose ? rows : cols;
        var a = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                a[i, j] = Normal(random);

        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < m; i++) dot += a[i, k] * a[i, j];
                for (int i = 0; i < m; i++) a[i, j] -= dot * a[i, k];
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += a[i, j] * a[i, j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < m; i++) a[i, j] /= norm;
        }

        if (!transpose) return a;
        var t = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                t[i, j] = a[j, i];
        return t;
    }

    private static int Count(ModelParameter p) => p.Dims.Aggregate(1, (a, b) => a * b);

    private static void Uniform(Random random, float[] values, double bound)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
