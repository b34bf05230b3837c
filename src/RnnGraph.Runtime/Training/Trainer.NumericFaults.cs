using System.Globalization;
using System.Numerics.Tensors;
using RnnGraph.Compiler;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Training;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Training;

/// <summary>
/// Numeric faults: every training step checks its loss and gradients before the update (the gradient norm when clipping
/// computes one, else each gradient's largest magnitude — one vectorized pass, no allocation). On a NaN or an infinity the
/// update is skipped and the step is re-run on a graph without time batching and fusion, so that every operator keeps its
/// own value, with each value tested as it is made (<see cref="Executor{T}.RunChecked"/>): the first one that is not
/// finite names the operator, its layer, direction and time step.
/// </summary>
public sealed partial class Trainer
{
    /// <summary>Throws <see cref="NumericFaultException"/> when the step's loss or gradients are not finite (before the update).</summary>
    private void CheckFinite(TrainingBatch batch, double loss, float? clippedNorm)
    {
        bool gradientsFinite = clippedNorm is { } norm ? float.IsFinite(norm) : AllFinite();
        if (double.IsFinite(loss) && gradientsFinite) return;
        throw Diagnose(batch, loss, gradientsFinite);
    }

    /// <summary>After the update: throws when the optimizer made a weight NaN or infinite (a learning rate far too high).</summary>
    private void CheckUpdatedWeights(double learningRate)
    {
        foreach (var p in Parameters)
        {
            if (p.Length == 0 || float.IsFinite(TensorPrimitives.MaxMagnitude<float>(p.Value))) continue;
            int at = Array.FindIndex(p.Value, v => !float.IsFinite(v));
            throw new NumericFaultException($"the loss and gradients are finite, but {_optimizer.Name}'s update at learning rate " +
                $"{learningRate.ToString(CultureInfo.InvariantCulture)} made the weight '{p.Name}' {Value(p.Value[at])} (element {at})", 0, true, null)
            { InUpdate = true };
        }
    }

    private bool AllFinite()
    {
        foreach (var p in Parameters)
            if (p.Length > 0 && !float.IsFinite(TensorPrimitives.MaxMagnitude<float>(p.Grad))) return false;
        return true;
    }

    /// <summary>Re-runs the step on <paramref name="batch"/> with every value checked, and describes the first non-finite one.</summary>
    private NumericFaultException Diagnose(TrainingBatch batch, double loss, bool gradientsFinite)
    {
        var forward = _compilation.Unroll(UnrollFor(batch, training: true));
        var graph = Compiler.Autodiff.AutodiffPass.Run(AddLoss(_compilation, Options.Loss, forward), name => name == LossBuilder.LossOutput, n => n.Op.Name == "param");
        // Each operator its own node: no time batching (one product for all steps) and no fusion (one kernel for many ops).
        foreach (var pass in Compilation.OptimizingPasses(timeBatching: false, fusion: false)) graph = pass.Run(graph);
        var plan = new PlannedExecutor(new Executor<float>(graph, batch.Batch), Parameters, _compilation.Model!);
        foreach (var p in Parameters)
            if (plan.Executor.HasParam(p.Name)) plan.Executor.SetParam(p.Name, p.Value);
        Feed(plan, batch);
        var first = plan.Executor.RunChecked();
        int lossIndex = graph.Outputs.First(o => o.Name == LossBuilder.LossOutput).Node is var lossNode ? IndexOf(graph, lossNode) : -1;
        bool backward = first is not null && first.NodeIndex > lossIndex;
        return new NumericFaultException(Describe(loss, gradientsFinite, first, backward), loss, gradientsFinite, first) { InBackward = backward };
    }

    private static int IndexOf(Graph graph, Node node)
    {
        for (int i = 0; i < graph.Nodes.Count; i++)
            if (ReferenceEquals(graph.Nodes[i], node)) return i;
        return -1;
    }

    /// <summary>The one-line account of the fault and where it started (the caller adds where in the run and the remedies).</summary>
    private string Describe(double loss, bool gradientsFinite, NonFiniteValue? first, bool backward)
    {
        string what = !double.IsFinite(loss)
            ? $"the loss is {Value(loss)}{(gradientsFinite ? "" : " and the gradients are not finite")}"
            : "the loss is finite but the gradients are not";
        if (first is null)
            return what + "; re-run with every value checked, no operator produced a non-finite value (the gradient norm overflowed float32: exploding gradients)";
        return $"{what}; the first non-finite value ({Value(first.Value)}) comes from {Where(first.Node, backward)}";
    }

    private static string Value(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";

    /// <summary>'log' in the forward pass of layer 'rnn' (l0, forward direction) at step t=5, equation h (spec.yaml(12,7)).</summary>
    private string Where(Node node, bool backward)
    {
        var origin = node.Origin;
        string op = node.Op.Name switch
        {
            "input" => $"the input '{node.Attributes.Name}'",
            "param" => $"the weight '{node.Attributes.Name}'",
            _ => $"'{node.Op.Name}' in the {(backward ? "backward" : "forward")} pass",
        };
        var parts = new List<string>();
        if (origin.Scope is { } scope) parts.Add($"of layer '{scope}'");
        if (origin.Layer >= 0 || origin.Direction >= 0)
        {
            var stack = new List<string>();
            if (origin.Layer >= 0) stack.Add("l" + origin.Layer.ToString(CultureInfo.InvariantCulture));
            if (origin.Direction >= 0) stack.Add(origin.Direction == 0 ? "forward direction" : "reverse direction");
            parts.Add($"({string.Join(", ", stack)})");
        }
        if (origin.Step >= 0) parts.Add($"at step t={origin.Step.ToString(CultureInfo.InvariantCulture)}");
        if (origin.Label is { } label && node.Op.Name is not ("input" or "param")) parts.Add($"computing {label}");
        if (origin.Location is { } at && at.Path == _compilation.Source.Path) parts.Add($"({at})");
        return parts.Count == 0 ? op : op + " " + string.Join(" ", parts);
    }
}
