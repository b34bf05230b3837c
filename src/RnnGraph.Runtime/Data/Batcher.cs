namespace RnnGraph.Runtime.Data;

/// <summary>How a <see cref="Batcher"/> orders, groups and wraps sequences.</summary>
public sealed record BatcherOptions
{
    /// <summary>Sequences per batch (B).</summary>
    public required int BatchSize { get; init; }

    /// <summary>Shuffle the sequences (and, with buckets, the batches) each epoch, repeatably from <see cref="Seed"/>.</summary>
    public bool Shuffle { get; init; } = true;

    public int Seed { get; init; }

    /// <summary>
    /// When positive, consecutive groups of this many sequences (after shuffling) are each sorted by descending
    /// length before being cut into batches, so a batch holds similar lengths and little padding. 0 keeps the order.
    /// </summary>
    public int BucketSize { get; init; }

    /// <summary>Prefix every sequence with <c>&lt;bos&gt;</c>.</summary>
    public bool AddBos { get; init; }

    /// <summary>End every sequence with <c>&lt;eos&gt;</c>.</summary>
    public bool AddEos { get; init; }

    /// <summary>Leave out a last batch smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }
}

/// <summary>Turns id sequences into padded time-major batches: shuffled from a seed, optionally bucketed by length.</summary>
public sealed class Batcher
{
    public Batcher(BatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BucketSize, nameof(options.BucketSize));
        Options = options;
    }

    public BatcherOptions Options { get; }

    /// <summary>
    /// The batches of one epoch. Epoch <c>e</c> shuffles with <c>new Random(Seed * 1000003 + e)</c> (unchecked), so
    /// every epoch differs and any epoch can be reproduced on its own, e.g. when resuming. Sorting within a bucket is
    /// stable (equal lengths keep their shuffled order); batches are padded lazily, one per step of the enumeration.
    /// </summary>
    public IEnumerable<SequenceBatch> Batches(IReadOnlyList<int[]> sequences, int epoch = 0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var lengths = new int[sequences.Count];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = (sequences[i] ?? throw new ArgumentException($"sequence {i} is null", nameof(sequences))).Length
                + (Options.AddBos ? 1 : 0) + (Options.AddEos ? 1 : 0);
            if (lengths[i] == 0)
                throw new ArgumentException($"sequence {i} is empty; an RNN needs at least one step (or AddBos/AddEos)", nameof(sequences));
        }
        var groups = Group(lengths, epoch);
        return groups.Select(indices => Pad(sequences, indices, lengths));
    }

    private List<int[]> Group(int[] lengths, int epoch)
    {
        var order = Enumerable.Range(0, lengths.Length).ToArray();
        var random = Options.Shuffle ? new Random(unchecked(Options.Seed * 1_000_003 + epoch)) : null;
        random?.Shuffle(order);
        if (Options.BucketSize > 0)
        {
            order = order.Chunk(Options.BucketSize)
                .SelectMany(bucket => bucket.OrderByDescending(i => lengths[i]))
                .ToArray();
        }
        var groups = order.Chunk(Options.BatchSize)
            .Where(group => !Options.DropLast || group.Length == Options.BatchSize)
            .ToList();
        // Sorted buckets would otherwise always serve their longest batch first.
        if (Options.BucketSize > 0 && random is not null)
        {
            var shuffled = groups.ToArray();
            random.Shuffle(shuffled);
            groups = [.. shuffled];
        }
        return groups;
    }

    private SequenceBatch Pad(IReadOnlyList<int[]> sequences, int[] indices, int[] lengths)
    {
        int batch = indices.Length;
        int steps = indices.Max(i => lengths[i]);
        // A new array is all zeros, which is already <pad>.
        var ids = new int[steps * batch];
        var batchLengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            int t = 0;
            if (Options.AddBos)
                ids[t++ * batch + b] = SpecialTokens.BosId;
            foreach (int id in sequences[indices[b]])
                ids[t++ * batch + b] = id;
            if (Options.AddEos)
                ids[t++ * batch + b] = SpecialTokens.EosId;
            batchLengths[b] = t;
        }
        return new SequenceBatch(steps, batch, ids, batchLengths, indices);
    }
}
