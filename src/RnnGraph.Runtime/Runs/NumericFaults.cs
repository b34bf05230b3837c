using System.Globalization;
using RnnGraph.Compiler;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>How a run reports a step whose loss or gradients were not finite: where in the run, what is kept, and what to change.</summary>
internal static class NumericFaults
{
    /// <summary>
    /// The fault of <paramref name="fault"/> with the run's context: the epoch, batch and optimizer step it stopped at, the
    /// checkpoint the run folder keeps (the step's update was not applied and nothing was written), and remedies that fit
    /// the operator found, located in the spec.
    /// </summary>
    public static NumericFaultException Stopped(NumericFaultException fault, Compilation probe, RunSettings settings, int epoch, int batch, int batches,
                                                long step, string runFolder, int checkpointEpoch)
    {
        var lines = new List<string>
        {
            $"training stopped in epoch {epoch}, batch {batch} of {batches} (optimizer step {step}), {(fault.InUpdate ? "after" : "before")} the update: {fault.Message}",
            checkpointEpoch > 0
                ? $"  {runFolder} keeps the checkpoint of epoch {checkpointEpoch}, untouched: after a fix, continue with 'rnngraph run {runFolder} --resume'"
                : $"  no epoch finished, so {runFolder} has no checkpoint to resume from",
            "  to fix it: " + string.Join("; ", Remedies(fault, probe, settings)),
        };
        return new NumericFaultException(string.Join("\n", lines), fault.Loss, fault.GradientsFinite, fault.First) { InBackward = fault.InBackward, InUpdate = fault.InUpdate };
    }

    private static IEnumerable<string> Remedies(NumericFaultException fault, Compilation probe, RunSettings settings)
    {
        var training = probe.Document?.Training;
        string op = fault.First?.Node.Op.Name ?? "";
        string? specific = op switch
        {
            "log" => "keep the argument of log above zero (log of zero is -Inf, of a negative number NaN), e.g. log(x + c) with c large enough or log(sigmoid(x))",
            "div" => "keep the divisor away from zero",
            "exp" => "keep the argument of exp below 88 (float32 overflows above that)",
            "input" => "the data fed at this step is not finite: check the data",
            "param" => "the weights are already not finite: start from another checkpoint or initialization",
            _ when fault.First is { Value: double v } && double.IsInfinity(v) => "values grew past float32's range (3.4e38): the training diverged",
            _ when fault.InUpdate => "the learning rate is far too high for the optimizer",
            _ => null,
        };
        if (specific is not null) yield return specific;
        // Clipping bounds the gradients, not the size of an update: no help when the update itself overflowed.
        if (fault.InUpdate) { }
        else if (settings.ClipNorm is { } clip)
            yield return $"lower clip_norm ({training?.ClipNorm?.Location}) from {clip.ToString(CultureInfo.InvariantCulture)}";
        else
            yield return training is not null ? $"clip the gradients: add 'clip_norm: 1.0' under training: ({training.Location})" : "clip the gradients: add 'training: { clip_norm: 1.0 }'";
        string rate = settings.LearningRate.ToString(CultureInfo.InvariantCulture), lower = (settings.LearningRate / 10).ToString(CultureInfo.InvariantCulture);
        yield return training?.LearningRate is { } lr ? $"lower learning_rate ({lr.Location}) from {rate}, e.g. to {lower}" : $"lower the learning rate from {rate}: add 'learning_rate: {lower}' under training:";
    }
}
