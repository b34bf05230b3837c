using RnnGraph.Compiler;
using RnnGraph.Compiler.Autodiff;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Training;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Tests.Loss;

/// <summary>
/// The loss graph against an independent computation from the model's outputs, and its parameter
/// gradients against central differences of the loss itself (float64).
/// </summary>
public sealed class LossGraphTests
{
    private const int T = 3, B = 2;

    private static (Compilation, Graph Train, Graph Forward) Build(LossKind kind, string head, bool masked)
    {
        var compilation = Compilation.Create(new SourceText("l.yaml",
            $"model:\n  inputs:\n    x: {{ size: 3 }}\n  layers:\n    - rnn: {{ cell: gru, hidden: 4 }}\n    - dense: {{ units: 5{head} }}\n"));
        Assert.False(compilation.HasErrors);
        var forward = compilation.Unroll(new UnrollOptions(T, Masked: masked));
        var withLoss = LossBuilder.AddLoss(forward, kind);
        var train = compilation.Optimize(AutodiffPass.Run(withLoss, name => name == LossBuilder.LossOutput, n => n.Op.Name == "param"));
        return (compilation, train, forward);
    }

    private static void Feed(Executor<double> e, Compilation c, LossKind kind, bool masked, Dictionary<string, double[]> weights)
    {
        foreach (var p in c.Model!.Parameters) e.SetParam(p.Name, weights[p.Name]);
        for (int t = 0; t < T; t++)
        {
            e.SetInput("x", t, Enumerable.Range(0, B * 3).Select(i => Math.Sin(i + 7 * t)).ToArray());
            if (e.HasInput(LossBuilder.TargetInput, t))
                e.SetInput(LossBuilder.TargetInput, t, kind == LossKind.CrossEntropy
                    ? [(t + 1) % 5, (2 * t) % 5]
                    : Enumerable.Range(0, B * 5).Select(i => (double)((i + t) % 2)).ToArray());
            if (masked && e.HasInput("mask", t)) e.SetInput("mask", t, [1, t < 2 ? 1 : 0]);
        }
        if (e.HasInput(LossBuilder.ScaleInput, -1)) e.SetInput(LossBuilder.ScaleInput, -1, [1.0 / (masked ? 5 : 6) / (kind == LossKind.CrossEntropy ? 1 : 5)]);
        if (e.HasInput("dloss", -1)) e.SetInput("dloss", -1, [1.0]);
    }

    [Theory]
    [InlineData(LossKind.CrossEntropy, ", activation: softmax", false)]
    [InlineData(LossKind.CrossEntropy, ", activation: softmax", true)]
    [InlineData(LossKind.CrossEntropy, "", true)]
    [InlineData(LossKind.BinaryCrossEntropy, "", true)]
    [InlineData(LossKind.MeanSquaredError, "", false)]
    public void Loss_matches_a_direct_computation_and_its_gradients_match_finite_differences(LossKind kind, string head, bool masked)
    {
        var (c, train, forward) = Build(kind, head, masked);
        var random = new Random(11);
        var weights = c.Model!.Parameters.ToDictionary(p => p.Name, p => Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => random.NextDouble() - 0.5).ToArray());

        var e = new Executor<double>(train, B);
        Feed(e, c, kind, masked, weights);
        e.Run();
        double loss = e.Output(LossBuilder.LossOutput)[0];

        // The same loss from the forward outputs, written out directly.
        var f = new Executor<double>(forward, B);
        Feed(f, c, kind, masked, weights);
        f.Run();
        double expected = 0;
        int counted = 0;
        for (int t = 0; t < T; t++)
        {
            var y = f.Output("y", t).ToArray();
            for (int b = 0; b < B; b++)
            {
                if (masked && !(b == 0 || t < 2)) continue;
                var row = y.AsSpan(b * 5, 5).ToArray();
                if (kind == LossKind.CrossEntropy)
                {
                    int target = b == 0 ? (t + 1) % 5 : (2 * t) % 5;
                    double logSum = Math.Log(head.Length > 0 ? row.Sum() : row.Sum(Math.Exp));
                    expected -= head.Length > 0 ? Math.Log(row[target]) : row[target] - logSum;
                    counted++;
                    continue;
                }
                for (int j = 0; j < 5; j++)
                {
                    double z = row[j], target = (b * 5 + j + t) % 2;
                    expected += kind == LossKind.BinaryCrossEntropy
                        ? -(target * Math.Log(1 / (1 + Math.Exp(-z))) + (1 - target) * Math.Log(1 - 1 / (1 + Math.Exp(-z))))
                        : (z - target) * (z - target);
                    counted++;
                }
            }
        }
        Assert.Equal(expected / counted, loss, 10);

        // d loss / d weight by central differences, for a few elements of every parameter.
        foreach (var p in c.Model.Parameters)
        {
            var grad = e.Output("grad." + p.Name).ToArray();
            foreach (int i in new[] { 0, grad.Length / 2, grad.Length - 1 })
            {
                double saved = weights[p.Name][i];
                weights[p.Name][i] = saved + 1e-6;
                Feed(e, c, kind, masked, weights);
                e.Run();
                double plus = e.Output(LossBuilder.LossOutput)[0];
                weights[p.Name][i] = saved - 1e-6;
                Feed(e, c, kind, masked, weights);
                e.Run();
                double minus = e.Output(LossBuilder.LossOutput)[0];
                weights[p.Name][i] = saved;
                double numeric = (plus - minus) / 2e-6;
                Assert.True(Math.Abs(numeric - grad[i]) <= 1e-6 + 1e-5 * Math.Abs(numeric), $"{p.Name}[{i}]: analytic {grad[i]} numeric {numeric}");
            }
        }
    }
}
