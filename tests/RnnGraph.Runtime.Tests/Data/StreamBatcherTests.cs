using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class StreamBatcherTests
{
    private static int[] Range(int count) => Enumerable.Range(0, count).ToArray();

    [Fact]
    public void Lays_the_stream_out_as_contiguous_parallel_streams()
    {
        // 26 tokens, B = 2: stream 0 is 0..12, stream 1 is 13..25; 12 input/target pairs make 3 windows of T = 4.
        var batcher = new StreamBatcher(Range(26), batch: 2, steps: 4);
        Assert.Equal((13, 3, 0), (batcher.StreamLength, batcher.WindowCount, batcher.DroppedTokens));

        var first = batcher.Window(0);
        Assert.Equal((0, 0, 4, 2, true), (first.Index, first.Position, first.Steps, first.Batch, first.StartsStreams));
        Assert.Equal([0, 13, 1, 14, 2, 15, 3, 16], first.Inputs);
        Assert.Equal([1, 14, 2, 15, 3, 16, 4, 17], first.Targets);

        var last = batcher.Window(2);
        Assert.Equal((8, false), (last.Position, last.StartsStreams));
        Assert.Equal([8, 21, 9, 22, 10, 23, 11, 24], last.Inputs);
        Assert.Equal([9, 22, 10, 23, 11, 24, 12, 25], last.Targets);
    }

    [Fact]
    public void Tokens_that_fill_no_stream_are_dropped()
    {
        var batcher = new StreamBatcher(Range(29), batch: 3, steps: 2);
        Assert.Equal((9, 2, 4), (batcher.StreamLength, batcher.DroppedTokens, batcher.WindowCount));
        Assert.Equal([0, 9, 18, 1, 10, 19], batcher.Window(0).Inputs);
        Assert.Equal([7, 16, 25, 8, 17, 26], batcher.Window(3).Targets);
    }

    [Fact]
    public void The_short_remainder_is_dropped_unless_asked_for()
    {
        var ids = Range(26);
        Assert.Equal(2, new StreamBatcher(ids, batch: 2, steps: 5).WindowCount);

        var batcher = new StreamBatcher(ids, batch: 2, steps: 5, includePartialWindow: true);
        Assert.Equal(3, batcher.WindowCount);
        var partial = batcher.Window(2);
        Assert.Equal((10, 2), (partial.Position, partial.Steps));
        Assert.Equal([10, 23, 11, 24], partial.Inputs);
        Assert.Equal([11, 24, 12, 25], partial.Targets);
    }

    [Fact]
    public void Each_window_continues_where_the_previous_stopped_and_targets_are_inputs_shifted_by_one()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => i * 7 % 101).ToArray();
        var batcher = new StreamBatcher(ids, batch: 4, steps: 9, includePartialWindow: true);
        var windows = batcher.Windows().ToList();
        Assert.Equal(batcher.WindowCount, windows.Count);
        for (int b = 0; b < 4; b++)
        {
            var inputs = windows.SelectMany(w => Enumerable.Range(0, w.Steps).Select(t => w.Inputs[t * 4 + b])).ToArray();
            var targets = windows.SelectMany(w => Enumerable.Range(0, w.Steps).Select(t => w.Targets[t * 4 + b])).ToArray();
            Assert.Equal(ids.AsSpan(b * 250, 249).ToArray(), inputs);
            Assert.Equal(ids.AsSpan(b * 250 + 1, 249).ToArray(), targets);
        }
    }

    [Fact]
    public void Too_short_a_stream_for_one_window()
    {
        var error = Assert.Throws<ArgumentException>(() => new StreamBatcher(Range(9), batch: 2, steps: 4));
        Assert.StartsWith("9 tokens in 2 streams of 4 give no window of 4 steps (need at least 10 tokens)", error.Message);
        Assert.Equal(1, new StreamBatcher(Range(10), batch: 2, steps: 4).WindowCount);
    }
}
