namespace RnnGraph.Runtime.Data;

/// <summary>
/// Sequences padded with <c>&lt;pad&gt;</c> into a time-major [Steps, Batch] id array (element [t,b] at
/// <c>t * Batch + b</c>), with each column's true length and the index of the sequence it came from.
/// </summary>
/// <param name="Steps">The longest length in the batch (T).</param>
/// <param name="Batch">Sequences in this batch (B); the last batch of an epoch may hold fewer than the batch size.</param>
/// <param name="Lengths">[B] valid steps of each column, counting any bos/eos.</param>
/// <param name="Indices">[B] position of each column's sequence in the batcher's input, to gather labels by.</param>
public sealed record SequenceBatch(int Steps, int Batch, int[] Ids, int[] Lengths, int[] Indices)
{
    /// <summary>A [Steps, Batch] mask: 1 where step t is inside column b's length, 0 on padding.</summary>
    public float[] Mask()
    {
        var mask = new float[Steps * Batch];
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < Lengths[b]; t++)
                mask[t * Batch + b] = 1f;
        }
        return mask;
    }
}
