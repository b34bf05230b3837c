using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Unrolling;

/// <summary>
/// Many-to-one pooling of a recurrent layer's outputs over time into one [B,F] vector: last, mean, max or
/// attention. Padded steps (mask 0) never count: outputs there are already zero, and max and attention add
/// a large negative penalty to them.
/// </summary>
internal static class Pooling
{
    private const double Penalty = 1e9;

    public static Node Pool(GraphBuilder b, BoundModel model, BoundRnnLayer layer, Node[] sequence, Node[]? masks, Node[] last)
    {
        b.CurrentOrigin = new NodeOrigin(layer.Location, BoundModel.PoolLayer, Label: model.Pooling);
        return model.Pooling switch
        {
            "mean" => Mean(b, sequence, masks),
            "max" => Max(b, sequence, masks),
            "attention" => Attention(b, sequence, masks),
            _ => Merge(b, layer, last),
        };
    }

    private static Node Merge(GraphBuilder b, BoundRnnLayer layer, Node[] last) =>
        last.Length == 1 ? last[0] : layer.Merge switch
        {
            "sum" => b.Add(last[0], last[1]),
            "mul" => b.Mul(last[0], last[1]),
            "ave" => b.Mul(b.Add(last[0], last[1]), b.Const(0.5)),
            _ => b.ConcatLast(last[0], last[1]),
        };

    private static Node Sum(GraphBuilder b, IEnumerable<Node> nodes) => nodes.Aggregate(b.Add);

    private static Node Mean(GraphBuilder b, Node[] sequence, Node[]? masks) =>
        masks is null
            ? b.Mul(Sum(b, sequence), b.Const(1.0 / sequence.Length))
            : b.Div(Sum(b, sequence), Sum(b, masks));

    /// <summary>0 on valid steps, a large negative number past a sequence's end ([B,1]).</summary>
    private static Node? PenaltyAt(GraphBuilder b, Node[]? masks, int t) =>
        masks is null ? null : b.Mul(b.Sub(masks[t], b.Const(1)), b.Const(Penalty));

    private static Node Max(GraphBuilder b, Node[] sequence, Node[]? masks)
    {
        Node Candidate(int t) => PenaltyAt(b, masks, t) is { } p ? b.Add(sequence[t], p) : sequence[t];
        var max = Candidate(0);
        for (int t = 1; t < sequence.Length; t++) max = b.Apply("maximum", max, Candidate(t));
        return max;
    }

    /// <summary>score_t = context · tanh(W y_t + bias); weights = softmax over valid steps; the pooled vector is Σ weight_t y_t.</summary>
    private static Node Attention(GraphBuilder b, Node[] sequence, Node[]? masks)
    {
        int f = sequence[0].Shape.Last;
        var weight = b.Param($"{BoundModel.PoolLayer}.weight", new Shape(f, f));
        var bias = b.Param($"{BoundModel.PoolLayer}.bias", new Shape(f));
        var context = b.Param($"{BoundModel.PoolLayer}.context", new Shape(1, f));
        var scores = new Node[sequence.Length];
        for (int t = 0; t < sequence.Length; t++)
        {
            var hidden = b.Apply("tanh", b.Add(b.MatMul(sequence[t], weight, false, true), bias));
            var score = b.MatMul(hidden, context, false, true);
            scores[t] = PenaltyAt(b, masks, t) is { } p ? b.Add(score, p) : score;
        }
        var weights = b.Apply("softmax", b.ConcatLast(scores));
        return Sum(b, sequence.Select((y, t) => b.Mul(b.SliceLast(weights, t, 1), y)));
    }
}
