using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Compiler.Training;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>What a validation pass measured: the mean loss and, for classifiers, the share of correct predictions.</summary>
internal readonly record struct ValidationResult(double? Loss, double? Accuracy);

/// <summary>What a finished run shows under its summary (samples, or held-out predictions) and the file they are in.</summary>
public sealed record RunReport(string Title, IReadOnlyList<string> Lines)
{
    /// <summary>More for the report page under the lines (tables, figures), as HTML; null for none.</summary>
    public string? Html { get; init; }
}

/// <summary>
/// One kind of training run: its data, how the data becomes batches, how it is validated, and what the run
/// folder gets besides the weights. <see cref="TrainingRun"/> owns the loop, checkpoints and metrics; a task
/// owns everything that depends on the topology and the data format.
/// </summary>
internal abstract class RunTask(Compilation compilation)
{
    /// <summary>The spec bound to the sizes the data gives (vocabulary, labels).</summary>
    public Compilation Compilation { get; } = compilation;

    public BoundModel Model => Compilation.Model!;

    public abstract LossKind Loss { get; }

    /// <summary>Whether the loss is a mean cross-entropy per token, so exp(loss) is a perplexity.</summary>
    public virtual bool LossIsPerToken => true;

    /// <summary>The line describing the data, shown before training.</summary>
    public abstract string DataMessage { get; }

    public abstract int BatchesPerEpoch { get; }

    /// <summary>The fewest steps every training batch has (a stream's window length); 1 where the data's lines set it.</summary>
    public virtual int LeastSteps => 1;

    public abstract bool HasValidation { get; }

    /// <summary>The training batches of one epoch (epoch numbers start at 1), in a repeatable order.</summary>
    public abstract IEnumerable<TrainingBatch> TrainBatches(int epoch, Trainer trainer);

    public abstract ValidationResult Validate(Trainer trainer);

    /// <summary>Writes the files a run folder holds from the start (vocabulary, labels, the held-out split).</summary>
    public abstract void WriteFolder(string runFolder);

    /// <summary>After training: samples or predictions from the kept weights, also written to the run folder.</summary>
    public abstract RunReport Finish(ParameterSet parameters, Trainer trainer, string runFolder);

    /// <summary>The tokens (or values) in a batch that the loss counts, to weight batch means by (an encoder-decoder's: its targets).</summary>
    public static int Count(TrainingBatch batch) => batch.TargetLengths?.Sum() ?? batch.Lengths?.Sum() ?? batch.Steps * batch.Batch;

    /// <summary>How much a batch's mean loss weighs in the epoch's mean: its targets (tokens) by default.</summary>
    public virtual int Weight(TrainingBatch batch) => Count(batch);

    /// <summary>The weighted mean loss over batches (each batch's loss is already a mean over its targets) and the tokens seen.</summary>
    public (double Loss, long Tokens) MeanLoss(IEnumerable<TrainingBatch> batches, Func<TrainingBatch, double> step)
    {
        double total = 0;
        long weights = 0, tokens = 0;
        foreach (var batch in batches)
        {
            int weight = Weight(batch);
            total += step(batch) * weight;
            weights += weight;
            tokens += Count(batch);
        }
        return (weights == 0 ? double.NaN : total / weights, tokens);
    }
}
