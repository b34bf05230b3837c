namespace RnnGraph.Runtime.Analysis;

/// <summary>One recurrent layer's, stacked index's and direction's gradient norm ||dL/dh_t|| per step t.</summary>
public sealed record GradientFlowSeries(string Layer, int StackIndex, bool Reverse, IReadOnlyList<double> Norms)
{
    /// <summary>"rnn l0", "rnn l1 reverse": the legend and table label.</summary>
    public string Label => $"{Layer} l{StackIndex}{(Reverse ? " reverse" : "")}";

    /// <summary>The norm at the first step divided by the norm at the last (the decay over T seen from the end); NaN when the last is zero.</summary>
    public double FirstOverLast => Norms[^1] == 0 ? double.NaN : Norms[0] / Norms[^1];
}

/// <summary>
/// Gradient flow through time (<see cref="GradientFlow.Measure"/>): per series the norm at each of <see cref="Steps"/>
/// steps, averaged over <see cref="Batches"/> batches.
/// </summary>
public sealed record GradientFlowResult(int Steps, int Batches, IReadOnlyList<GradientFlowSeries> Series);
