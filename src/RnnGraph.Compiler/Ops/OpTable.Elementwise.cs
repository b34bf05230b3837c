using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Ops;

public static partial class OpTable
{
    private static IEnumerable<OpDefinition> ElementwiseOps()
    {
        // Adding zeros leaves the other operand, broadcast to the result's shape when it is smaller
        // (a bias added to a zero initial state's projection).
        yield return new OpDefinition("add", 2, BroadcastRule,
            (b, n, g) => [b.SumTo(g, n.Inputs[0].Shape), b.SumTo(g, n.Inputs[1].Shape)],
            (b, x, _, s) => IsZeros(x[0]) && IsZeros(x[1]) ? b.Zeros(s)
                          : IsZeros(x[1]) ? b.BroadcastTo(x[0], s)
                          : IsZeros(x[0]) ? b.BroadcastTo(x[1], s) : null);

        yield return new OpDefinition("sub", 2, BroadcastRule,
            (b, n, g) => [b.SumTo(g, n.Inputs[0].Shape), b.SumTo(b.Neg(g), n.Inputs[1].Shape)],
            (b, x, _, s) => IsZeros(x[0]) && IsZeros(x[1]) ? b.Zeros(s)
                          : IsZeros(x[1]) ? b.BroadcastTo(x[0], s)
                          : IsZeros(x[0]) ? b.Neg(b.BroadcastTo(x[1], s)) : null);

        yield return new OpDefinition("mul", 2, BroadcastRule,
            (b, n, g) => [b.SumTo(b.Mul(g, n.Inputs[1]), n.Inputs[0].Shape), b.SumTo(b.Mul(g, n.Inputs[0]), n.Inputs[1].Shape)],
            (b, x, _, s) => IsZeros(x[0]) || IsZeros(x[1]) ? b.Zeros(s) : null);

        // d(a/b)/db = -g * y / b, reusing the node's own value y = a/b.
        yield return new OpDefinition("div", 2, BroadcastRule,
            (b, n, g) => [b.SumTo(b.Div(g, n.Inputs[1]), n.Inputs[0].Shape),
                          b.SumTo(b.Neg(b.Div(b.Mul(g, n), n.Inputs[1])), n.Inputs[1].Shape)],
            (b, x, _, s) => IsZeros(x[0]) ? b.Zeros(s) : null);

        // Elementwise maximum (max pooling); the gradient goes to the larger operand, to b on ties.
        yield return new OpDefinition("maximum", 2, BroadcastRule,
            (b, n, g) =>
            {
                var first = b.Step(b.Sub(n.Inputs[0], n.Inputs[1]));
                return [b.SumTo(b.Mul(g, first), n.Inputs[0].Shape), b.SumTo(b.Mul(g, b.Sub(b.Const(1), first)), n.Inputs[1].Shape)];
            });

        yield return new OpDefinition("neg", 1, Same, (b, _, g) => [b.Neg(g)], ZeroInZeroOut);

        // The activations' derivatives are written with the output y, as PyTorch's derivatives.yaml does.
        yield return new OpDefinition("tanh", 1, Same,
            (b, n, g) => [b.Mul(g, b.Sub(b.Const(1), b.Mul(n, n)))], ZeroInZeroOut);

        yield return new OpDefinition("sigmoid", 1, Same,
            (b, n, g) => [b.Mul(g, b.Mul(n, b.Sub(b.Const(1), n)))]);

        yield return new OpDefinition("relu", 1, Same,
            (b, n, g) => [b.Mul(g, b.Step(n.Inputs[0]))], ZeroInZeroOut);

        // Heaviside step (1 where x > 0, else 0): relu's derivative. Its own derivative is zero.
        yield return new OpDefinition("step", 1, Same, (b, n, _) => [b.Zeros(n.Inputs[0].Shape)]);

        yield return new OpDefinition("exp", 1, Same, (b, n, g) => [b.Mul(g, n)]);

        yield return new OpDefinition("log", 1, Same, (b, n, g) => [b.Div(g, n.Inputs[0])]);

        // Log-softmax over the last axis (cross-entropy's stable form): dx = g - exp(y) * sum_last(g).
        yield return new OpDefinition("log_softmax", 1, Same,
            (b, n, g) => [b.Sub(g, b.Mul(b.Apply("exp", n), b.SumLast(g)))]);

        // softplus(x) = log(1 + exp(x)), computed stably; binary cross-entropy on logits is softplus(z) - z * t.
        yield return new OpDefinition("softplus", 1, Same,
            (b, n, g) => [b.Mul(g, b.Apply("sigmoid", n.Inputs[0]))]);

        // Softmax over the last axis: dx = y * (g - sum_last(g * y)).
        yield return new OpDefinition("softmax", 1, Same,
            (b, n, g) => [b.Mul(n, b.Sub(g, b.SumLast(b.Mul(g, n))))]);

        // Elementwise ops merged by the elementwise-fusion pass (Passes.FusedProgram): Name holds the program, Shape the
        // result's shape. Its gradient is its program's, op by op.
        yield return new OpDefinition("fused", -1,
            (s, a) => a.Shape ?? throw new ShapeException("a fused node needs its result shape"),
            (b, n, g) => Passes.FusedProgram.Parse(n.Attributes.Name!).Gradients(b, n, g),
            attributeDoc: "Name = the fused program, Shape = result shape");
    }

    private static Node? ZeroInZeroOut(GraphBuilder b, IReadOnlyList<Node> x, OpAttributes _, Shape s) =>
        x.All(IsZeros) ? b.Zeros(s) : null;
}
