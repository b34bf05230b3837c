using RnnGraph.Compiler.Training;

namespace RnnGraph.Runtime.Training;

/// <summary>How a <see cref="Trainer"/> turns gradients into an update: the loss, and optional clipping (norm first, as usually configured).</summary>
/// <para><see cref="Seed"/> makes dropout masks repeatable: the masks of a step depend only on the seed and the optimizer step.</para>
/// <para><see cref="Threads"/>: threads a step may use (see <see cref="Execution.Executor{T}"/>); results do not depend on it.</para>
public sealed record TrainerOptions(LossKind Loss = LossKind.CrossEntropy, double? ClipNorm = null, double? ClipValue = null, int Seed = 1, int Threads = 1);
