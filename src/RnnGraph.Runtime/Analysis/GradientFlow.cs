using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Analysis;

/// <summary>
/// Measures how the training loss's gradient flows back through time: the total derivative dL/dh_t of the loss with
/// respect to each recurrent layer's first state h_t (its output, e.g. an LSTM's h), at every step t, for every layer,
/// stacked index and direction. A vanishing gradient shows as norms falling by orders of magnitude away from the loss.
/// </summary>
public static class GradientFlow
{
    /// <summary>
    /// For each batch, one forward and backward pass through a graph with state probes (no dropout, no update; the loss
    /// is the trainer's: a mean over the counted targets, with the batch's masks, targets and condition as
    /// <see cref="Trainer"/> feeds them). The norm at step t of one batch is the Frobenius norm
    /// sqrt(Σ_b Σ_j (dL/dh_t[b,j])²) over the batch and hidden units; the result is its plain mean over the batches.
    /// Padded steps (past a sequence's length) contribute zero, and so does step t of a batch shorter than t+1 steps:
    /// the result has as many steps as the longest batch. An encoder-decoder's encoder series have the longest batch's source
    /// steps and its decoder series the longest batch's decoder steps (two time axes).
    /// </summary>
    public static GradientFlowResult Measure(Compilation compilation, ParameterSet parameters, IReadOnlyList<TrainingBatch> batches, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        ArgumentNullException.ThrowIfNull(batches);
        _ = compilation.Model ?? throw new ArgumentException("the spec has errors", nameof(compilation));
        return Measure(new Trainer(compilation, parameters, Optimizers.Create("sgd"), new TrainerOptions(loss)), batches);
    }

    /// <summary>
    /// As <see cref="Measure(Compilation, ParameterSet, IReadOnlyList{TrainingBatch}, LossKind)"/> with an existing trainer (its
    /// current weights and loss), which keeps the probed graphs it compiles: a run measures after every epoch this way.
    /// The trainer's weights, optimizer and carried states are left as they were.
    /// </summary>
    public static GradientFlowResult Measure(Trainer trainer, IReadOnlyList<TrainingBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0) throw new ArgumentException("no batches", nameof(batches));
        var model = trainer.Compilation.Model!;
        // One-to-one models run a single step whatever the batch says. An encoder-decoder has two time axes: its encoder's
        // series run over the source steps, its decoder's over the decoder steps.
        int steps = model.OneToOne ? 1 : batches.Max(b => b.Steps);
        int decoderSteps = model.IsEncoderDecoder ? batches.Max(b => b.TargetSteps) : 0;
        var decoderLayer = model.EncoderDecoder?.DecoderRnn;
        var series = new List<(string Layer, int L, int D, double[] Sums)>();
        foreach (var layer in model.RnnLayers)
            for (int l = 0; l < layer.NumLayers; l++)
                for (int d = 0; d < layer.Directions; d++)
                    series.Add((layer.Name, l, d, new double[layer == decoderLayer ? decoderSteps : steps]));

        foreach (var batch in batches)
        {
            var measured = trainer.ProbeStates(batch);
            foreach (var (layer, l, d, sums) in series)
            {
                string name = StateProbes.Name(layer, l, d);
                for (int t = 0; t < sums.Length; t++)
                {
                    if (!measured.States.TryGetValue((name, t), out var gradient)) continue;
                    double squares = 0;
                    foreach (float g in gradient) squares += (double)g * g;
                    sums[t] += Math.Sqrt(squares);
                }
            }
        }
        return new GradientFlowResult(Math.Max(steps, decoderSteps), batches.Count, series
            .Select(s => new GradientFlowSeries(s.Layer, s.L, s.D == 1, s.Sums.Select(v => v / batches.Count).ToArray()))
            .ToList());
    }
}
