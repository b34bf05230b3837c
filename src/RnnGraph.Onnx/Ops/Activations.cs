namespace RnnGraph.Onnx.Ops;

/// <summary>
/// The activation functions the recurrent operators name in their <c>activations</c> attribute, with
/// <c>activation_alpha</c>/<c>activation_beta</c> consumed in order by the functions that take them.
/// </summary>
internal static class Activations
{
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    /// <summary>A named function with its parameters fixed.</summary>
    public sealed record Function(string Name, double Alpha, double Beta)
    {
        public double Apply(double x) => Name switch
        {
            "relu" => x > 0 ? x : 0,
            "tanh" => Math.Tanh(x),
            "sigmoid" => Sigmoid(x),
            "affine" => Alpha * x + Beta,
            "leakyrelu" => x < 0 ? Alpha * x : x,
            "thresholdedrelu" => x > Alpha ? x : 0,
            "scaledtanh" => Alpha * Math.Tanh(Beta * x),
            "hardsigmoid" => Math.Max(0, Math.Min(1, Alpha * x + Beta)),
            "elu" => x < 0 ? Alpha * (Math.Exp(x) - 1) : x,
            "softsign" => x / (1 + Math.Abs(x)),
            "softplus" => Softplus(x),
            _ => throw new InvalidOperationException(Name),
        };
    }

    // name -> (alphas taken, betas taken, default alpha, default beta)
    private static readonly Dictionary<string, (int alphas, int betas, double alpha, double beta)> Known = new()
    {
        ["relu"] = (0, 0, 0, 0),
        ["tanh"] = (0, 0, 0, 0),
        ["sigmoid"] = (0, 0, 0, 0),
        ["affine"] = (1, 1, 1, 0),
        ["leakyrelu"] = (1, 0, 0.01, 0),
        ["thresholdedrelu"] = (1, 0, 1, 0),
        ["scaledtanh"] = (1, 1, 1, 1),
        ["hardsigmoid"] = (1, 1, 0.2, 0.5),
        ["elu"] = (1, 0, 1, 0),
        ["softsign"] = (0, 0, 0, 0),
        ["softplus"] = (0, 0, 0, 0),
    };

    /// <summary>
    /// The node's activation functions: <paramref name="perDirection"/> per direction, defaulting to
    /// <paramref name="defaults"/>. A list of one direction's functions on a bidirectional node serves both.
    /// </summary>
    public static Function[] Resolve(OpContext c, string[] defaults, int directions)
    {
        int perDirection = defaults.Length;
        var names = c.Strings("activations") ?? [];
        if (names.Length == 0) names = Enumerable.Repeat(defaults, directions).SelectMany(d => d).ToArray();
        else if (names.Length == perDirection && directions == 2) names = [.. names, .. names];
        if (names.Length != perDirection * directions)
            throw c.Fail($"lists {names.Length} activations; a {(directions == 2 ? "bidirectional" : "one-direction")} {c.Node.OpType} needs {perDirection * directions} ({string.Join(", ", defaults)} per direction)");
        var alphas = c.Floats("activation_alpha") ?? [];
        var betas = c.Floats("activation_beta") ?? [];
        int ai = 0, bi = 0;
        var result = new Function[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i].ToLowerInvariant();
            if (!Known.TryGetValue(name, out var k))
                throw c.Fail($"activation '{names[i]}' is not one of ONNX's recurrent activations ({string.Join(", ", ["Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus"])})");
            double alpha = k.alpha, beta = k.beta;
            if (k.alphas > 0 && ai < alphas.Length) alpha = alphas[ai++];
            if (k.betas > 0 && bi < betas.Length) beta = betas[bi++];
            result[i] = new Function(name, alpha, beta);
        }
        return result;
    }
}
