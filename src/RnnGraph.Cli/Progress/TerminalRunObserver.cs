using System.Diagnostics;
using System.Globalization;
using RnnGraph.Runtime.Runs;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RnnGraph.Cli.Progress;

/// <summary>
/// Progress on an interactive terminal: a live bar per epoch (epoch k/N, batches done/total, running mean loss,
/// tokens/s, ETA for the whole run), replaced at the end of the epoch by the same summary line <see cref="LineRunObserver"/> prints.
/// </summary>
public sealed class TerminalRunObserver : IRunObserver, IDisposable
{
    private readonly IAnsiConsole console;
    private readonly Lock gate = new();
    private readonly Stopwatch epochClock = new();
    private readonly List<double> epochSeconds = [];
    private Live? live;

    // The state of the running epoch, read by the refresh thread under the gate.
    private int epoch, epochs, batches, batchesDone;
    private double lossTotal;
    private long tokens;

    public TerminalRunObserver(IAnsiConsole console) => this.console = console;

    /// <summary>An observer on the process's terminal (stdout).</summary>
    public static TerminalRunObserver ForConsole() => new(AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
        Interactive = InteractionSupport.Detect,
        Out = new AnsiConsoleOutput(Console.Out),
    }));

    // Messages and summaries go to the console's writer as they are: Spectre would wrap them at the terminal's width.
    public void Message(string line) => console.Profile.Out.Writer.WriteLine(line);

    public void EpochStarted(int epoch, int epochs, int batches)
    {
        Finish();
        lock (gate)
        {
            this.epoch = epoch;
            this.epochs = epochs;
            this.batches = Math.Max(batches, 1);
            batchesDone = 0;
            lossTotal = 0;
            tokens = 0;
            epochClock.Restart();
        }
        live = new Live(console, this, this.batches);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public void BatchDone(int batch, double loss, long tokens)
    {
        lock (gate)
        {
            batchesDone = batch;
            lossTotal += loss * tokens;
            this.tokens += tokens;
        }
        live?.Update(Math.Min(batch, batches), batches);
    }

    public void EpochDone(EpochMetrics metrics)
    {
        Finish();
        lock (gate) epochSeconds.Add(metrics.Seconds);
        console.Profile.Out.Writer.WriteLine(LineRunObserver.Format(metrics));
    }

    /// <summary>Ends a live bar left by an epoch that did not finish (an error), restoring the cursor.</summary>
    public void Dispose() => Finish();

    private void OnProcessExit(object? sender, EventArgs e) => Finish();

    private void Finish()
    {
        var current = Interlocked.Exchange(ref live, null);
        if (current is null) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        current.Complete();
    }

    /// <summary>The text beside the bar: running mean loss, tokens/s and the run's ETA.</summary>
    internal string Describe()
    {
        lock (gate)
        {
            double elapsed = epochClock.Elapsed.TotalSeconds;
            double fraction = Math.Clamp((double)batchesDone / batches, 0, 1);
            string loss = tokens > 0 ? (lossTotal / tokens).ToString("0.0000", CultureInfo.InvariantCulture) : "-";
            string speed = elapsed > 0 && tokens > 0 ? (tokens / elapsed).ToString("0", CultureInfo.InvariantCulture) : "-";
            // An epoch's length: the mean of the epochs done in this session, else extrapolated from this one.
            double? perEpoch = epochSeconds.Count > 0 ? epochSeconds.Average() : fraction > 0 ? elapsed / fraction : null;
            string eta = perEpoch is { } p ? FormatDuration(Math.Max(0, p - elapsed) + p * (epochs - epoch)) : "-";
            return $"loss {loss}  {speed} tokens/s  ETA {eta}";
        }
    }

    internal string Title()
    {
        lock (gate) return string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}");
    }

    internal static string FormatDuration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2)));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes}:{t.Seconds:00}";
    }

    /// <summary>One epoch's Spectre progress display, run on its own task until <see cref="Complete"/>.</summary>
    private sealed class Live
    {
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<ProgressTask> started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task display;
        private readonly ProgressTask bar;

        public Live(IAnsiConsole console, TerminalRunObserver owner, int batches)
        {
            var progress = console.Progress()
                .AutoClear(true)
                .HideCompleted(false)
                .Columns(
                    new TextColumn(owner.Title),
                    new ProgressBarColumn { Width = 30 },
                    new CountColumn(),
                    new TextColumn(owner.Describe));
            display = Task.Run(() => progress.StartAsync(async context =>
            {
                var task = context.AddTask("epoch", maxValue: batches);
                started.SetResult(task);
                await done.Task.ConfigureAwait(false);
                context.Refresh();
            }));
            bar = started.Task.GetAwaiter().GetResult();
        }


        public void Update(int value, int max)
        {
            bar.MaxValue = max;
            bar.Value = value;
        }

        public void Complete()
        {
            bar.Value = bar.MaxValue;
            done.TrySetResult();
            display.GetAwaiter().GetResult();
        }
    }

    /// <summary>A column of plain text computed at each refresh.</summary>
    private sealed class TextColumn(Func<string> text) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => new Text(text());
    }

    /// <summary>Batches done/total.</summary>
    private sealed class CountColumn : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{task.Value:0}/{task.MaxValue:0} batches"));
    }
}
