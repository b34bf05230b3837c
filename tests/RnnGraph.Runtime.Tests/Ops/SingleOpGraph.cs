using System.Numerics;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Ops;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Tests.Ops;

/// <summary>A graph of one op over input leaves named a, b, c, ... with the output <c>y</c>.</summary>
public static class SingleOpGraph
{
    public static string OperandName(int i) => ((char)('a' + i)).ToString();

    public static Graph Build(string op, OpAttributes attributes, IReadOnlyList<Operand> operands) =>
        Build(OpTable.Get(op), attributes, operands);

    public static Graph Build(OpDefinition op, OpAttributes attributes, IReadOnlyList<Operand> operands)
    {
        var b = new GraphBuilder();
        var leaves = operands.Select((o, i) => b.Input(OperandName(i), -1, o.Shape, o.IsIds ? InputKind.TokenIds : InputKind.Float)).ToArray();
        var y = b.Apply(op, attributes, leaves);
        return Graph.FromOutputs("forward", [new GraphOutput("y", -1, y)], new GraphInfo(1, false, []));
    }

    /// <summary>Random values for an operand at a batch size (token ids are used as given).</summary>
    public static double[] Values(Operand operand, int batch, Random rng)
    {
        if (operand.Ids is { } ids) return ids;
        var values = new double[operand.Shape.ElementCount(batch)];
        for (int i = 0; i < values.Length; i++)
        {
            double u = rng.NextDouble();
            values[i] = operand.Range switch
            {
                ValueRange.Positive => 0.5 + 1.5 * u,
                ValueRange.AwayFromZero => (rng.Next(2) == 0 ? -1 : 1) * (0.3 + u),
                _ => 2 * u - 1,
            };
        }
        return values;
    }

    public static T[] Cast<T>(double[] values) where T : INumberBase<T> => values.Select(T.CreateChecked).ToArray();

    /// <summary>Runs the forward graph once on the given operand values and returns y.</summary>
    public static T[] Run<T>(Graph graph, int batch, IReadOnlyList<double[]> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var executor = new Executor<T>(graph, batch);
        for (int i = 0; i < values.Count; i++) executor.SetInput(OperandName(i), -1, Cast<T>(values[i]));
        executor.Run();
        return executor.Output("y").ToArray();
    }
}
