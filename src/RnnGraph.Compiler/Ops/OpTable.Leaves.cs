using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Ops;

public static partial class OpTable
{
    private static IEnumerable<OpDefinition> LeafOps()
    {
        static Shape FromAttr(IReadOnlyList<Shape> _, OpAttributes a) => a.Shape ?? throw new ShapeException("leaf op needs a shape");

        // A data input fed by the runtime (Name, Index: e.g. x[3]); I0 is its InputKind (float, token ids, mask).
        yield return new OpDefinition("input", 0, FromAttr, null, attributeDoc: "Name, Index, Shape, I0 = InputKind");
        // A trainable parameter, fed from the weights file by name.
        yield return new OpDefinition("param", 0, FromAttr, null, attributeDoc: "Name, Shape");
        // A scalar constant.
        yield return new OpDefinition("const", 0, (_, _) => Shape.Scalar, null, attributeDoc: "Scalar");
        // A tensor of zeros (absent initial states, dropped biases, gradients that are known to vanish).
        yield return new OpDefinition("zeros", 0, FromAttr, null, attributeDoc: "Shape");
    }
}
