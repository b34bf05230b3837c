using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Evaluation;

/// <summary>How one tensor compares with its reference under |got - ref| &lt;= atol + rtol * max|ref| (DESIGN §6).</summary>
public sealed record TensorComparison(string Name, int[] Shape, double MaxAbsDifference, double Tolerance, string? Problem)
{
    public const double AbsoluteTolerance = 1e-5;
    public const double RelativeTolerance = 1e-4;

    public bool Passed => Problem is null && MaxAbsDifference <= Tolerance;

    /// <summary>Compares every tensor of <paramref name="reference"/> with the same name in <paramref name="actual"/>.</summary>
    public static List<TensorComparison> CompareAll(IReadOnlyDictionary<string, TensorValue> actual, IReadOnlyDictionary<string, TensorValue> reference)
    {
        var result = new List<TensorComparison>();
        foreach (var (name, expected) in reference.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!actual.TryGetValue(name, out var got))
            {
                result.Add(new TensorComparison(name, expected.Shape, double.NaN, 0, "missing from the outputs"));
                continue;
            }
            if (!got.Shape.SequenceEqual(expected.Shape))
            {
                result.Add(new TensorComparison(name, expected.Shape, double.NaN, 0,
                    $"shape [{string.Join(",", got.Shape)}] but the reference has [{string.Join(",", expected.Shape)}]"));
                continue;
            }
            var g = got.ToDoubleArray();
            var r = expected.ToDoubleArray();
            double scale = 0, worst = 0;
            for (int i = 0; i < r.Length; i++) scale = Math.Max(scale, Math.Abs(r[i]));
            for (int i = 0; i < r.Length; i++)
            {
                double d = Math.Abs(g[i] - r[i]);
                worst = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(worst, d);
            }
            result.Add(new TensorComparison(name, expected.Shape, worst, AbsoluteTolerance + RelativeTolerance * scale, null));
        }
        return result;
    }
}
