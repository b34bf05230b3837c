namespace RnnGraph.Runtime.Training;

/// <summary>
/// One batch for a training step, time-major: <see cref="Inputs"/> is [T,B] token ids or [T,B,I] features,
/// <see cref="Targets"/> is [T,B] class ids (cross-entropy) or [T,B,O] values — for a many-to-one model [B] or [B,O]; <see cref="Lengths"/> [B]
/// gives each sequence's length (padding beyond it counts for nothing), or null when all run T steps.
/// </summary>
/// <para><see cref="InitialStates"/> carries recurrent states in (truncated BPTT over a stream): by initial-state
/// input name (<c>h0</c>, <c>c0</c>), each [L·D,B,H]; they are inputs, so no gradient flows back into them.</para>
public sealed record TrainingBatch(int Steps, int Batch, float[] Inputs, float[] Targets, int[]? Lengths = null,
                                   IReadOnlyDictionary<string, float[]>? InitialStates = null);
