using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Ops;

public static partial class OpTable
{
    private static IEnumerable<OpDefinition> LinearAlgebraOps()
    {
        // C = op(A) @ op(B) on 2-D tensors, op = transpose when I0 (for A) or I1 (for B) is 1.
        // A cell's `W @ x` becomes matmul(x, W, transB): x is [B, n], W is [m, n], C is [B, m].
        yield return new OpDefinition("matmul", 2, MatMulShape, MatMulGradient,
            (b, x, _, s) => IsZeros(x[0]) || IsZeros(x[1]) ? b.Zeros(s) : null,
            attributeDoc: "I0 = transpose A, I1 = transpose B");
    }

    private static Shape MatMulShape(IReadOnlyList<Shape> s, OpAttributes a)
    {
        if (s[0].Rank != 2 || s[1].Rank != 2) throw new ShapeException($"matmul needs 2-D operands, got {s[0]} and {s[1]}");
        int m = a.I0 == 1 ? s[0][1] : s[0][0];
        int k = a.I0 == 1 ? s[0][0] : s[0][1];
        int k2 = a.I1 == 1 ? s[1][1] : s[1][0];
        int n = a.I1 == 1 ? s[1][0] : s[1][1];
        if (k != k2) throw new ShapeException($"matmul inner sizes differ: {s[0]} and {s[1]} (transA={a.I0}, transB={a.I1})");
        return Shape.Matrix(m, n);
    }

    // For C = op(A) op(B): dA and dB are again matmuls with the transposes rearranged.
    private static Node?[] MatMulGradient(GraphBuilder b, Node n, Node g)
    {
        Node a = n.Inputs[0], x = n.Inputs[1];
        bool ta = n.Attributes.I0 == 1, tb = n.Attributes.I1 == 1;
        return (ta, tb) switch
        {
            (false, false) => [b.MatMul(g, x, false, true), b.MatMul(a, g, true, false)],
            (false, true) => [b.MatMul(g, x, false, false), b.MatMul(g, a, true, false)],
            (true, false) => [b.MatMul(x, g, false, true), b.MatMul(a, g, false, false)],
            (true, true) => [b.MatMul(x, g, true, true), b.MatMul(g, a, true, true)],
        };
    }
}
