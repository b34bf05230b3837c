namespace RnnGraph.Runtime.Training;

/// <summary>
/// What <see cref="Trainer.ProbeStates"/> measured on one batch: the loss, every parameter's gradient by name, and
/// dL/dh_t [B,H] of every state probe by probe name (<see cref="Compiler.Unrolling.StateProbes"/>) and step.
/// </summary>
public sealed record ProbedGradients(double Loss, IReadOnlyDictionary<string, float[]> Parameters,
                                     IReadOnlyDictionary<(string Probe, int Step), float[]> States);
