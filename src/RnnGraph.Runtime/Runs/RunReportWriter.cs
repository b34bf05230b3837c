using System.Globalization;
using RnnGraph.Runtime.Analysis;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>The parts of a run's report that are computed once per run, before training: the model summary and the graph drawing.</summary>
internal sealed record ReportStatics(string SummaryHtml, string GraphHtml);

/// <summary>
/// Builds a run folder's report.html from what the run knows: its metrics, learning-rate schedule, gradient flow,
/// samples or predictions, the model summary, the graph drawing and the spec. Rewritten after every epoch (so an
/// interrupted run has one) and at the end.
/// </summary>
internal static class RunReportWriter
{
    public static void Write(string runFolder, string specText, string specName, RunSettings settings, IReadOnlyList<EpochMetrics> metrics,
        ILearningRateSchedule schedule, long totalSteps, ReportStatics statics, string? gradientFlowHtml, RunReport? final, TimeSpan elapsed)
    {
        var sections = new List<ReportSection>();
        var last = metrics.Count > 0 ? metrics[^1] : null;

        // Curves: loss, the validation metric, the learning rate.
        var figures = new List<string> { ReportPage.Figure("loss", LossCurveSvg.Render(metrics), "Mean training loss of each epoch and the validation loss after it.") };
        if (metrics.Any(m => m.ValidationAccuracy is not null))
        {
            var accuracy = metrics.Where(m => m.ValidationAccuracy is not null).Select(m => ((double)m.Epoch, m.ValidationAccuracy!.Value)).ToList();
            var chart = new LineChart("Validation accuracy", "epoch", "accuracy", [new ChartSeries("validation", LineChartSvg.Palette[1], accuracy)]) { Percent = true };
            figures.Add(ReportPage.Figure("accuracy", LineChartSvg.Render(chart), "Share of held-out examples whose most probable label is right."));
        }
        else if (metrics.Any(m => m.ValidationPerplexity is not null))
        {
            var perplexity = metrics.Where(m => m.ValidationPerplexity is not null).Select(m => ((double)m.Epoch, m.ValidationPerplexity!.Value)).ToList();
            figures.Add(ReportPage.Figure("perplexity", LineChartSvg.Render(new LineChart("Validation perplexity", "epoch", "perplexity (per token)",
                [new ChartSeries("validation", LineChartSvg.Palette[1], perplexity)])), "exp(validation loss): the effective number of choices per token."));
        }
        figures.Add(ReportPage.Figure("learning-rate", LineChartSvg.Render(new LineChart("Learning rate", "optimizer step", "learning rate",
            [new ChartSeries(settings.Optimizer, LineChartSvg.Palette[2], LearningRates(schedule, totalSteps))])),
            $"The {settings.Schedule} schedule{(settings.Warmup > 0 ? $" after {settings.Warmup} warmup steps" : "")} over the run's {totalSteps} steps."));
        sections.Add(new ReportSection("curves", "Training curves", ReportPage.Row([.. figures])));

        if (gradientFlowHtml is not null) sections.Add(new ReportSection("gradient-flow", "Gradient flow through time", gradientFlowHtml));
        if (final is not null)
        {
            string heading = final.Title.TrimEnd(':');
            sections.Add(new ReportSection("results", char.ToUpperInvariant(heading[0]) + heading[1..], ReportPage.Preformatted(string.Join("\n", final.Lines))
                + (final.Html is { } more ? "\n" + more : "")));
        }
        sections.Add(new ReportSection("metrics", "Metrics per epoch", ReportPage.Collapsible(metrics.Count > 12, $"{metrics.Count} epochs", ReportPage.Table(
            ["epoch", "train loss", "validation loss", "perplexity", "accuracy", "tokens/s", "seconds"],
            metrics.Select(m => (IReadOnlyList<string>)[
                m.Epoch.ToString(CultureInfo.InvariantCulture), Number(m.TrainLoss), Number(m.ValidationLoss), Number(m.ValidationPerplexity, "0.00"),
                m.ValidationAccuracy is { } a ? a.ToString("0.00%", CultureInfo.InvariantCulture) : "", m.TokensPerSecond.ToString("0", CultureInfo.InvariantCulture),
                m.Seconds.ToString("0.0", CultureInfo.InvariantCulture)])))));
        sections.Add(new ReportSection("model", "Model", statics.SummaryHtml));
        sections.Add(new ReportSection("graph", "Compiled graph", statics.GraphHtml));
        sections.Add(new ReportSection("spec", "Spec", ReportPage.Preformatted(specText)));

        string status = final is not null ? "finished" : "in progress";
        string subtitle = string.Create(CultureInfo.InvariantCulture,
            $"{status}: {metrics.Count} of {settings.Epochs} epochs, {elapsed.TotalSeconds:0.0} s; train loss {Number(last?.TrainLoss)}") +
            (last?.ValidationLoss is { } v ? ", validation loss " + Number(v) : "") +
            (last?.ValidationAccuracy is { } acc ? ", validation accuracy " + acc.ToString("0.00%", CultureInfo.InvariantCulture) : "") +
            $". Written by rnngraph run into {Path.GetFileName(Path.GetFullPath(runFolder))}/.";
        ReportPage.Write(Path.Combine(runFolder, ReportPage.FileName), $"{specName}: run report", subtitle, sections);
    }

    /// <summary>
    /// The gradient flow of the first and the latest epoch side by side (null before any): ||dL/dh_t|| per step on the same
    /// training batches, so training's effect on how far gradients reach back shows.
    /// </summary>
    public static string? GradientFlowHtml(IReadOnlyList<(int Epoch, GradientFlowResult Flow)> flows)
    {
        if (flows.Count == 0) return null;
        const string Caption = "||dL/dh_t|| per step t on the same first training batches, log scale: a line falling by orders of magnitude towards t = 0 is a vanishing gradient.";
        var (firstEpoch, first) = flows[0];
        var (lastEpoch, last) = flows[^1];
        var figures = new List<string> { ReportPage.Figure("gradient-flow", GradientFlowSvg.Render(last, $"Gradient flow after epoch {lastEpoch}"), Caption) };
        if (lastEpoch != firstEpoch)
            figures.Insert(0, ReportPage.Figure("gradient-flow-first", GradientFlowSvg.Render(first, $"Gradient flow after epoch {firstEpoch}"), "The same after the first epoch."));
        var rows = last.Series.Select(s => (IReadOnlyList<string>)[s.Label, Number(s.Norms[^1], "G3"), Number(s.Norms[0], "G3"), Number(s.FirstOverLast, "G3")]);
        return ReportPage.Row([.. figures]) + "\n" + ReportPage.Table(["series", "norm at the last step", "at the first step", "first / last"], rows)
            + "\n" + ReportPage.Paragraph($"Every epoch's values are in {GradientFlowFile.FileName}.");
    }

    /// <summary>The schedule's rate at every step, thinned to at most 600 points (always keeping the first and last).</summary>
    private static List<(double, double)> LearningRates(ILearningRateSchedule schedule, long totalSteps)
    {
        long stride = Math.Max(1, totalSteps / 600);
        var points = new List<(double, double)>();
        for (long step = 0; step < totalSteps; step += stride) points.Add((step, schedule.At(step)));
        if (totalSteps > 0 && (totalSteps - 1) % stride != 0) points.Add((totalSteps - 1, schedule.At(totalSteps - 1)));
        return points;
    }

    private static string Number(double? value, string format = "0.0000") =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "";
}
