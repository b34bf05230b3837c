using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class BatcherTests
{
    private static readonly int[][] PinnedOrder = [[7, 0, 6], [1, 3, 5], [2, 4]];

    private static readonly int[][] Sequences = [[5], [6, 7, 8], [9, 10], [11, 12, 13, 14], [15, 16, 17, 18, 19]];

    [Fact]
    public void Pads_time_major_with_lengths_and_source_indices()
    {
        var batches = new Batcher(new BatcherOptions { BatchSize = 2, Shuffle = false }).Batches(Sequences[..3]).ToList();
        Assert.Equal(2, batches.Count);

        var first = batches[0];
        Assert.Equal((3, 2), (first.Steps, first.Batch));
        // Columns are [5] and [6,7,8]: row t holds step t of both.
        Assert.Equal([5, 6, 0, 7, 0, 8], first.Ids);
        Assert.Equal([1, 3], first.Lengths);
        Assert.Equal([0, 1], first.Indices);
        Assert.Equal([1f, 1f, 0f, 1f, 0f, 1f], first.Mask());

        var last = batches[1];
        Assert.Equal((2, 1), (last.Steps, last.Batch));
        Assert.Equal([9, 10], last.Ids);
        Assert.Equal([2], last.Lengths);
        Assert.Equal([2], last.Indices);
    }

    [Fact]
    public void Bos_and_eos_wrap_every_sequence_and_count_in_the_lengths()
    {
        var options = new BatcherOptions { BatchSize = 2, Shuffle = false, AddBos = true, AddEos = true };
        var batch = new Batcher(options).Batches(Sequences[..2]).Single();
        Assert.Equal(5, batch.Steps);
        Assert.Equal([2, 2, 5, 6, 3, 7, 0, 8, 0, 3], batch.Ids);
        Assert.Equal([3, 5], batch.Lengths);
    }

    [Fact]
    public void Buckets_sort_by_descending_length_within_each_bucket()
    {
        int[][] sequences = [[1], [1, 2, 3, 4], [1, 2], [1, 2, 3], [1, 2, 3, 4, 5]];
        var options = new BatcherOptions { BatchSize = 2, Shuffle = false, BucketSize = 4 };
        var batches = new Batcher(options).Batches(sequences).ToList();
        Assert.Equal([[1, 3], [2, 0], [4]], batches.Select(b => b.Indices));
        Assert.Equal([[4, 3], [2, 1], [5]], batches.Select(b => b.Lengths));
    }

    [Fact]
    public void Drop_last_leaves_out_a_short_final_batch()
    {
        var batches = new Batcher(new BatcherOptions { BatchSize = 2, Shuffle = false, DropLast = true }).Batches(Sequences).ToList();
        Assert.Equal([[0, 1], [2, 3]], batches.Select(b => b.Indices));
    }

    [Fact]
    public void Shuffling_is_repeatable_per_seed_and_epoch_and_covers_every_sequence_once()
    {
        var sequences = Enumerable.Range(0, 50).Select(i => new int[i % 7 + 1]).ToArray();
        var batcher = new Batcher(new BatcherOptions { BatchSize = 8, Seed = 42 });
        int[] Order(Batcher b, int epoch) => b.Batches(sequences, epoch).SelectMany(batch => batch.Indices).ToArray();

        int[] epoch0 = Order(batcher, 0);
        Assert.Equal(epoch0, Order(new Batcher(new BatcherOptions { BatchSize = 8, Seed = 42 }), 0));
        Assert.Equal(Enumerable.Range(0, 50), epoch0.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), epoch0);
        Assert.NotEqual(epoch0, Order(batcher, 1));
        Assert.NotEqual(epoch0, Order(new Batcher(new BatcherOptions { BatchSize = 8, Seed = 43 }), 0));
    }

    [Fact]
    public void The_shuffle_is_pinned_so_a_run_can_be_reproduced_later()
    {
        // new Random(seed) is the framework's compatibility-preserved generator; this order must never change.
        var batcher = new Batcher(new BatcherOptions { BatchSize = 3, Seed = 7 });
        var order = batcher.Batches(Enumerable.Range(0, 8).Select(i => new[] { i }).ToArray(), epoch: 2)
            .Select(b => b.Ids).ToArray();
        Assert.Equal(PinnedOrder, order);
    }

    [Fact]
    public void Shuffled_buckets_still_hold_similar_lengths()
    {
        var sequences = Enumerable.Range(0, 40).Select(i => new int[i % 10 + 1]).ToArray();
        var options = new BatcherOptions { BatchSize = 4, Seed = 3, BucketSize = 40 };
        var batches = new Batcher(options).Batches(sequences).ToList();
        // One bucket of all 40 sorted by length: each batch of 4 spans lengths of at most one step apart.
        Assert.All(batches, b => Assert.True(b.Lengths.Max() - b.Lengths.Min() <= 1));
        Assert.Equal(40, batches.Sum(b => b.Batch));
        Assert.Equal(Enumerable.Range(0, 40), batches.SelectMany(b => b.Indices).Order());
    }

    [Fact]
    public void An_empty_sequence_is_rejected_unless_wrapped()
    {
        int[][] sequences = [[1], []];
        var error = Assert.Throws<ArgumentException>(() => new Batcher(new BatcherOptions { BatchSize = 2 }).Batches(sequences));
        Assert.StartsWith("sequence 1 is empty", error.Message);
        var batch = new Batcher(new BatcherOptions { BatchSize = 2, Shuffle = false, AddEos = true }).Batches(sequences).Single();
        Assert.Equal([1, 3, 3, 0], batch.Ids);
    }
}
