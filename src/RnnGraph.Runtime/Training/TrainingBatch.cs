namespace RnnGraph.Runtime.Training;

/// <summary>
/// One batch for a training step, time-major: <see cref="Inputs"/> is [T,B] token ids or [T,B,I] features,
/// <see cref="Targets"/> is [T,B] class ids (cross-entropy) or [T,B,O] values; <see cref="Lengths"/> [B]
/// gives each sequence's length (padding beyond it counts for nothing), or null when all run T steps.
/// </summary>
public sealed record TrainingBatch(int Steps, int Batch, float[] Inputs, float[] Targets, int[]? Lengths = null);
