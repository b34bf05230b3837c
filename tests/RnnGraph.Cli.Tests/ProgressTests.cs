using RnnGraph.Cli.Progress;
using RnnGraph.Runtime.Runs;
using Spectre.Console;

namespace RnnGraph.Cli.Tests;

/// <summary><c>rnngraph run</c>'s terminal progress: the live bar's observer prints LineRunObserver's lines, and only a real terminal gets it.</summary>
public sealed class ProgressTests
{
    private static readonly EpochMetrics First = new(1, 2, 2.5283, 2.1972, 9160, 3.4);
    private static readonly EpochMetrics Second = new(2, 2, 2.1653, null, 12810, 2.5);

    private static (IAnsiConsole Console, StringWriter Text) Console(bool interactive, int? width = null)
    {
        var text = new StringWriter { NewLine = "\n" };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = interactive ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
        });
        if (width is { } w) console.Profile.Width = w;
        return (console, text);
    }

    private static void Drive(IRunObserver observer)
    {
        observer.Message("data: 3 training and 1 validation sequences");
        foreach (var m in new[] { First, Second })
        {
            observer.EpochStarted(m.Epoch, m.Epochs, 3);
            for (int b = 1; b <= 3; b++) observer.BatchDone(b, 2.0 + b, 10);
            observer.EpochDone(m);
        }
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)]
    [InlineData(true, 12)]
    public void Prints_messages_and_each_epochs_summary_line_as_LineRunObserver_does(bool interactive, int? width)
    {
        var (console, text) = Console(interactive, width);
        using (var observer = new TerminalRunObserver(console)) Drive(observer);

        var expected = new List<string>();
        Drive(new LineRunObserver(expected.Add));
        var lines = text.ToString().Split('\n');
        Assert.Equal("data: 3 training and 1 validation sequences", lines[0]);
        // Each summary line is whole (not wrapped at the console's width), after whatever the bar left on its line.
        foreach (string line in expected.Skip(1)) Assert.Contains(lines, l => l.EndsWith(line, StringComparison.Ordinal));
        Assert.Equal(
            ["epoch 1/2  train loss 2.5283  validation loss 2.1972  perplexity 9.00  9160 tokens/s  3.4s", "epoch 2/2  train loss 2.1653  12810 tokens/s  2.5s"],
            expected.Skip(1));
    }

    [Fact]
    public async Task An_epoch_left_unfinished_by_an_error_ends_its_bar_on_dispose()
    {
        var (console, text) = Console(interactive: true);
        var observer = new TerminalRunObserver(console);
        observer.EpochStarted(1, 3, 10);
        observer.BatchDone(1, 3.0, 5);

        await Task.Run(observer.Dispose).WaitAsync(TimeSpan.FromSeconds(10)); // throws TimeoutException if the display hangs

        Assert.Contains("\u001b[?25h", text.ToString()); // the cursor is shown again
    }

    [Fact]
    public void Describes_the_running_mean_loss_speed_and_the_runs_eta()
    {
        var (console, _) = Console(interactive: false);
        using var observer = new TerminalRunObserver(console);
        observer.EpochStarted(1, 2, 4);
        observer.BatchDone(1, 3.0, 10);
        observer.BatchDone(2, 1.0, 30);

        string description = observer.Describe();

        Assert.StartsWith("loss 1.5000  ", description); // weighted by tokens, as the epoch's train loss is
        Assert.Contains(" tokens/s  ETA ", description);
        Assert.Equal("epoch 1/2", observer.Title());
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(59.6, "1:00")]
    [InlineData(754, "12:34")]
    [InlineData(3 * 3600 + 62, "3:01:02")]
    public void Durations_read_as_minutes_and_seconds(double seconds, string expected) =>
        Assert.Equal(expected, TerminalRunObserver.FormatDuration(seconds));

    [Fact]
    public void A_writer_other_than_the_terminal_gets_plain_lines()
    {
        Assert.IsType<LineRunObserver>(RunObservers.For(new StringWriter()));
    }

    [Theory]
    [InlineData(true, false, null, "xterm-256color", true)]
    [InlineData(false, false, null, "xterm-256color", false)] // not stdout (tests)
    [InlineData(true, true, null, "xterm-256color", false)] // a pipe or file
    [InlineData(true, false, "true", "xterm-256color", false)] // CI
    [InlineData(true, false, null, "dumb", false)]
    [InlineData(true, false, "", null, true)]
    public void Only_an_interactive_terminal_gets_the_live_bar(bool isStdout, bool redirected, string? ci, string? term, bool expected)
    {
        var stdout = new StringWriter();
        var output = isStdout ? stdout : new StringWriter();
        var environment = new Dictionary<string, string?> { ["CI"] = ci, ["TERM"] = term };

        Assert.Equal(expected, RunObservers.IsInteractiveTerminal(output, stdout, redirected, name => environment[name]));
    }

    [Fact]
    public void Work_progress_returns_the_works_result_and_draws_its_bar_on_a_terminal()
    {
        var (console, text) = Console(interactive: true);
        var reported = new List<(int, int)>();

        int result = WorkProgress.Run(console, "decoding words.txt", progress =>
        {
            foreach (int done in new[] { 64, 128, 150 })
            {
                progress(done, 150);
                reported.Add((done, 150));
            }
            return 42;
        });

        Assert.Equal(42, result);
        Assert.Equal([(64, 150), (128, 150), (150, 150)], reported);
        Assert.Contains("decoding words.txt", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Work_progress_draws_nothing_when_standard_error_is_not_a_terminal()
    {
        using var error = new StringWriter();
        int calls = 0;

        int result = WorkProgress.Run(error, "decoding", progress =>
        {
            progress(1, 2);
            calls++;
            return 7;
        });

        Assert.Equal(7, result);
        Assert.Equal(1, calls);
        Assert.Equal("", error.ToString());
    }
}
