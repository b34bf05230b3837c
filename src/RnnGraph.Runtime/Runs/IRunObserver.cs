namespace RnnGraph.Runtime.Runs;

/// <summary>One epoch's results, as written to metrics.csv and shown to the user.</summary>
public sealed record EpochMetrics(int Epoch, int Epochs, double TrainLoss, double? ValidationLoss, double TokensPerSecond, double Seconds)
{
    /// <summary>Classifiers: the share of held-out sequences whose most probable label is the right one.</summary>
    public double? ValidationAccuracy { get; init; }

    /// <summary>Whether the losses are per-token cross-entropies (language models), so exp(loss) is a perplexity.</summary>
    public bool LossIsPerToken { get; init; } = true;

    public double? ValidationPerplexity => LossIsPerToken && ValidationLoss is { } v ? Math.Exp(v) : null;
}

/// <summary>
/// Receives a run's progress. The CLI shows it (a live progress bar on a terminal, plain lines otherwise);
/// tests record it. Calls come from the training thread, in order.
/// </summary>
public interface IRunObserver
{
    /// <summary>A line of information before training (data, model, settings).</summary>
    void Message(string line);

    /// <summary>A training epoch starts; it will have <paramref name="batches"/> batches.</summary>
    void EpochStarted(int epoch, int epochs, int batches);

    /// <summary>A batch was trained: its loss and the tokens it held.</summary>
    void BatchDone(int batch, double loss, long tokens);

    void EpochDone(EpochMetrics metrics);
}

/// <summary>Plain text progress: one line per message and per epoch (for pipes, CI logs and tests).</summary>
public sealed class LineRunObserver(Action<string> write) : IRunObserver
{
    public void Message(string line) => write(line);

    public void EpochStarted(int epoch, int epochs, int batches) { }

    public void BatchDone(int batch, double loss, long tokens) { }

    public void EpochDone(EpochMetrics m) => write(Format(m));

    /// <summary>The one-line summary of an epoch (also printed under the terminal's progress bar).</summary>
    public static string Format(EpochMetrics m)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        string validation = m.ValidationLoss is { } v ? string.Create(culture, $"  validation loss {v:0.0000}") : "";
        if (m.ValidationPerplexity is { } p) validation += string.Create(culture, $"  perplexity {p:0.00}");
        if (m.ValidationAccuracy is { } a) validation += string.Create(culture, $"  accuracy {a:0.00%}");
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"epoch {m.Epoch}/{m.Epochs}  train loss {m.TrainLoss:0.0000}{validation}  {m.TokensPerSecond:0} tokens/s  {m.Seconds:0.0}s");
    }
}
