using RnnGraph.Compiler.Training;

namespace RnnGraph.Runtime.Training;

/// <summary>How a <see cref="Trainer"/> turns gradients into an update: the loss, and optional clipping (norm first, as usually configured).</summary>
/// <para><see cref="Seed"/> makes dropout masks repeatable: the masks of a step depend only on the seed and the optimizer step.</para>
/// <para><see cref="Threads"/>: threads a step may use (see <see cref="Execution.Executor{T}"/>); results do not depend on it.</para>
public sealed record TrainerOptions(LossKind Loss = LossKind.CrossEntropy, double? ClipNorm = null, double? ClipValue = null, int Seed = 1, int Threads = 1)
{
    /// <summary>
    /// Checkpointed BPTT (<c>training.recompute_every</c>): a batch of more than this many steps is trained in segments of
    /// this many steps, keeping only the states at segment starts in the forward pass and recomputing each segment in the
    /// backward pass; the loss and gradients are those of full BPTT. Null (the default) trains every batch in one graph.
    /// </summary>
    public int? RecomputeEvery { get; init; }
}
