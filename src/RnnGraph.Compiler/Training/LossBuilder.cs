using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;

namespace RnnGraph.Compiler.Training;

/// <summary>
/// Adds a scalar <c>loss</c> output to an unrolled forward graph. Targets come in per step as
/// <c>target[t]</c> (class ids [B] for cross-entropy, floats shaped like <c>y[t]</c> otherwise); when the
/// graph has step masks, padded steps contribute nothing. The sum is multiplied by the input <c>loss_scale</c>
/// (1 / number of counted targets, fed by the trainer), so the loss is a mean as in PyTorch's defaults.
/// </summary>
public static class LossBuilder
{
    public const string LossOutput = "loss";
    public const string TargetInput = "target";
    public const string ScaleInput = "loss_scale";

    /// <param name="steps">Which steps carry a target (all for many-to-many; the last for many-to-one).</param>
    /// <param name="targetMasks">Whether the loss has its own step masks <c>target_mask[t]</c> [B,1] (an encoder-decoder, whose
    /// step masks <c>mask[j]</c> belong to the source), instead of the forward graph's.</param>
    public static Graph AddLoss(Graph forward, LossKind kind, IReadOnlyList<int>? steps = null, bool targetMasks = false)
    {
        var b = new GraphBuilder(simplify: false, forward.Nodes.Count + forward.Outputs.Count * 4);
        var map = GraphRewriter.CopyInto(forward, b);
        var outputs = forward.Outputs.Select(o => o with { Node = map[o.Node] }).ToList();
        var ys = outputs.Where(o => o.Name == "y").ToDictionary(o => o.Index, o => o.Node);
        var masks = targetMasks
            ? ys.ToDictionary(y => y.Key, y =>
            {
                b.CurrentOrigin = y.Value.Origin with { Label = "target mask" };
                return b.Input(EncoderDecoderNames.TargetMask, y.Key, new Shape(Shape.Batch, 1), InputKind.Mask);
            })
            : forward.Inputs.Where(n => n.Attributes.Name == ModelNames.Mask).ToDictionary(n => n.Attributes.Index, n => map[n]);
        steps ??= ys.Keys.Order().ToList();

        Node? total = null;
        foreach (int t in steps)
        {
            var y = Unmasked(ys[t]);
            b.CurrentOrigin = y.Origin with { Label = "loss" };
            var term = StepLoss(b, kind, y, t);
            if (masks.TryGetValue(t, out var mask)) term = b.Mul(term, kind == LossKind.CrossEntropy ? mask : b.BroadcastTo(mask, term.Shape));
            var sum = b.SumTo(term, Shape.Scalar);
            total = total is null ? sum : b.Add(total, sum);
        }
        if (total is null) throw new ArgumentException("the loss needs at least one step", nameof(steps));
        b.CurrentOrigin = new NodeOrigin(null, Label: "loss");
        var scale = b.Input(ScaleInput, -1, Shape.Scalar, InputKind.Mask);
        var loss = kind == LossKind.CrossEntropy ? b.Neg(b.Mul(total, scale)) : b.Mul(total, scale);
        outputs.Insert(0, new GraphOutput(LossOutput, -1, loss));
        return Graph.FromOutputs("loss", outputs, forward.Info);
    }

    /// <summary>The output before the step mask zeroed it past each end: the loss masks its own terms, and
    /// a softmax head must stay visible so cross-entropy can work on its logits.</summary>
    private static Node Unmasked(Node y) =>
        y.Op.Name == "mul" && y.Inputs[1].Op.Name == "input" && y.Inputs[1].Attributes.I0 == (int)InputKind.Mask ? y.Inputs[0] : y;

    private static Node StepLoss(GraphBuilder b, LossKind kind, Node y, int t)
    {
        switch (kind)
        {
            case LossKind.CrossEntropy:
                {
                    // Cross-entropy works on logits: a softmax or log_softmax head is bypassed rather than differentiated through.
                    var logits = y.Op.Name is "softmax" or "log_softmax" ? y.Inputs[0] : y;
                    var ids = b.Input(TargetInput, t, new Shape(logits.Shape.Dims[..^1].ToArray()), InputKind.TokenIds);
                    return b.PickLast(b.Apply("log_softmax", logits), ids);
                }
            case LossKind.BinaryCrossEntropy:
                {
                    var logits = y.Op.Name == "sigmoid" ? y.Inputs[0] : y;
                    var target = b.Input(TargetInput, t, logits.Shape, InputKind.Mask);
                    return b.Sub(b.Apply("softplus", logits), b.Mul(logits, target));
                }
            default:
                {
                    var target = b.Input(TargetInput, t, y.Shape, InputKind.Mask);
                    var d = b.Sub(y, target);
                    return b.Mul(d, d);
                }
        }
    }
}
