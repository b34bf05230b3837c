using RnnGraph.Compiler.Autodiff;
using RnnGraph.Compiler.Ops;
using RnnGraph.Compiler.Passes;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Tests.Ops;

/// <summary>
/// Checks an op's gradient rule: the backward graph's <c>grad.&lt;operand&gt;</c> against central differences of
/// <c>L = sum(y * dy)</c> for a random upstream gradient dy, in float64.
/// </summary>
public static class FiniteDifferenceCheck
{
    public const int Batch = 3;
    // Large enough that rounding (~1e-16 / eps) stays far below the tolerance, small enough for the O(eps^2) truncation error.
    private const double Epsilon = 1e-5;

    /// <summary>The worst relative error per differentiable operand, with the element where it occurred.</summary>
    public sealed record Result(string Operand, double WorstRelativeError, int Element, double Analytic, double Numeric);

    /// <param name="c">The case.</param>
    /// <param name="op">Replaces the table's definition of the op (to show that a wrong rule is caught).</param>
    /// <param name="seed">Seeds the operand values and the upstream gradient.</param>
    public static IReadOnlyList<Result> Run(OpGradientCase c, OpDefinition? op = null, int seed = 17)
    {
        var rng = new Random(seed);
        var forward = SingleOpGraph.Build(op ?? OpTable.Get(c.Op), c.Attributes, c.Operands);
        var backward = AutodiffPass.Run(forward);
        GraphVerifier.Verify(backward);

        var executor = new Executor<double>(backward, Batch);
        var values = c.Operands.Select(o => SingleOpGraph.Values(o, Batch, rng)).ToArray();
        for (int i = 0; i < values.Length; i++) executor.SetInput(SingleOpGraph.OperandName(i), -1, values[i]);
        var dy = SingleOpGraph.Values(new Operand(forward.Outputs[0].Node.Shape), Batch, rng);
        // A gradient that is zero by construction (step) leaves the seed unused and pruned.
        if (executor.HasInput("dy", -1)) executor.SetInput("dy", -1, dy);

        double Loss()
        {
            executor.Run();
            var y = executor.Output("y");
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += y[i] * dy[i];
            return sum;
        }

        // Read every analytic gradient before any perturbation reruns the graph.
        executor.Run();
        var analytics = c.Operands.Select((o, i) => o.IsIds ? [] : executor.Output("grad." + SingleOpGraph.OperandName(i)).ToArray()).ToArray();

        var results = new List<Result>();
        for (int i = 0; i < values.Length; i++)
        {
            if (c.Operands[i].IsIds) continue;
            string name = SingleOpGraph.OperandName(i);
            var analytic = analytics[i];
            if (analytic.Length != values[i].Length)
                throw new InvalidOperationException($"grad.{name} has {analytic.Length} elements, the operand {values[i].Length}");

            var worst = new Result(name, 0, -1, 0, 0);
            for (int e = 0; e < values[i].Length; e++)
            {
                double saved = values[i][e];
                values[i][e] = saved + Epsilon;
                executor.SetInput(name, -1, values[i]);
                double plus = Loss();
                values[i][e] = saved - Epsilon;
                executor.SetInput(name, -1, values[i]);
                double minus = Loss();
                values[i][e] = saved;
                executor.SetInput(name, -1, values[i]);

                double numeric = (plus - minus) / (2 * Epsilon);
                double error = Math.Abs(analytic[e] - numeric) / Math.Max(Math.Max(Math.Abs(analytic[e]), Math.Abs(numeric)), 1e-3);
                if (error > worst.WorstRelativeError || worst.Element < 0) worst = new Result(name, error, e, analytic[e], numeric);
            }
            results.Add(worst);
        }
        return results;
    }
}
