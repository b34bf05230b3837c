namespace RnnGraph.Runtime.Data;

/// <summary>
/// One truncated-BPTT window of a <see cref="StreamBatcher"/>: inputs and next-token targets, both time-major
/// [Steps, Batch] (element [t,b] at <c>t * Batch + b</c>).
/// </summary>
/// <param name="Index">The window's number, from 0.</param>
/// <param name="Position">Offset of step 0 within every parallel stream; each window continues the previous one.</param>
public sealed record StreamWindow(int Index, int Position, int Steps, int Batch, int[] Inputs, int[] Targets)
{
    /// <summary>True for the first window: recurrent state starts fresh here and is carried into every later window.</summary>
    public bool StartsStreams => Position == 0;
}

/// <summary>
/// Lays one token stream out as <c>B</c> parallel streams and cuts them into windows of <c>T</c> steps, the classic
/// language-model batching (PyTorch's word_language_model <c>batchify</c>/<c>get_batch</c>).
/// </summary>
/// <remarks>
/// Stream <c>b</c> is the contiguous slice <c>ids[b·L, (b+1)·L)</c> with <c>L = N / B</c>; the last <c>N mod B</c>
/// tokens are dropped. Window <c>k</c> starts at position <c>p = k·T</c>: input <c>[t,b] = stream_b[p+t]</c>,
/// target <c>[t,b] = stream_b[p+t+1]</c>. Because window <c>k+1</c> starts where window <c>k</c> stopped, the final
/// hidden state of one window is the right initial state of the next. Windows are all <c>T</c> long, since a
/// compiled graph is unrolled for a fixed <c>T</c>; the shorter remainder is dropped unless
/// <c>includePartialWindow</c> asks for it.
/// </remarks>
public sealed class StreamBatcher
{
    private readonly int[] _ids;

    /// <param name="ids">The token stream; kept, not copied.</param>
    public StreamBatcher(int[] ids, int batch, int steps, bool includePartialWindow = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        _ids = ids;
        Batch = batch;
        Steps = steps;
        StreamLength = ids.Length / batch;
        // A stream of L tokens gives L - 1 (input, target) pairs.
        int pairs = Math.Max(StreamLength - 1, 0);
        WindowCount = pairs / steps + (includePartialWindow && pairs % steps != 0 ? 1 : 0);
        if (WindowCount == 0)
        {
            throw new ArgumentException(
                $"{ids.Length} tokens in {batch} streams of {StreamLength} give no window of {steps} steps (need at least {batch * (steps + 1)} tokens)",
                nameof(ids));
        }
    }

    public int Batch { get; }

    public int Steps { get; }

    /// <summary>Tokens in each parallel stream (L).</summary>
    public int StreamLength { get; }

    public int WindowCount { get; }

    /// <summary>Tokens at the end of the stream that fill no parallel stream.</summary>
    public int DroppedTokens => _ids.Length - StreamLength * Batch;

    public StreamWindow Window(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, WindowCount);
        int position = index * Steps;
        int steps = Math.Min(Steps, StreamLength - 1 - position);
        var inputs = new int[steps * Batch];
        var targets = new int[steps * Batch];
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < Batch; b++)
            {
                int source = b * StreamLength + position + t;
                inputs[t * Batch + b] = _ids[source];
                targets[t * Batch + b] = _ids[source + 1];
            }
        }
        return new StreamWindow(index, position, steps, Batch, inputs, targets);
    }

    /// <summary>Every window in order; states carry from each to the next.</summary>
    public IEnumerable<StreamWindow> Windows()
    {
        for (int index = 0; index < WindowCount; index++)
            yield return Window(index);
    }
}
