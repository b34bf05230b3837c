using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>
/// Resuming early stopping: the best epoch's weights come from the checkpoint when the best is the checkpoint's own epoch (a run
/// stopped between writing the checkpoint and best.safetensors leaves the file one best behind), from best.safetensors otherwise,
/// and a best.safetensors of another epoch than the metrics' best is refused instead of silently becoming the run's result.
/// </summary>
public sealed class EarlyStoppingResumeTests : IDisposable
{
    private readonly string _folder = RunFolders.NewFolder();

    public EarlyStoppingResumeTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => RunFolders.Delete(_folder);

    private static ParameterSet Weights(float value) => ParameterSet.FromTensors(new Dictionary<string, TensorValue>
    {
        ["w"] = TensorValue.FromFloat([value, value + 1], 2),
    });

    private static EpochMetrics Epoch(int epoch, double validation) => new(epoch, 5, 1.0, validation, 100, 1);

    private string BestFile => Path.Combine(_folder, TrainingRun.EarlyStopping.FileName);

    private void WriteBest(float value, int? epoch) =>
        SafeTensors.Write(BestFile, Weights(value).ToTensors(), epoch is { } e ? new Dictionary<string, string> { ["epoch"] = $"{e}" } : null);

    private static float[] Restored(TrainingRun.EarlyStopping state)
    {
        var target = Weights(0);
        state.Restore(target);
        return target["w"].Value;
    }

    [Fact]
    public void A_best_at_the_checkpoints_epoch_takes_the_checkpoints_weights_and_repairs_the_file()
    {
        WriteBest(1f, epoch: 1); // epoch 2 improved, its checkpoint was written, the run stopped before best.safetensors was
        var checkpoint = Weights(2f);

        var state = TrainingRun.EarlyStopping.Start([Epoch(1, 0.9), Epoch(2, 0.8)], checkpoint, _folder);

        Assert.Equal(2, state.Epoch);
        Assert.Equal([2f, 3f], Restored(state));
        var file = SafeTensors.Read(BestFile, out var metadata);
        Assert.Equal([2f, 3f], file["w"].ToFloatArray());
        Assert.Equal("2", metadata["epoch"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(null)] // written before the file carried its epoch
    public void An_earlier_best_takes_the_files_weights(int? epoch)
    {
        WriteBest(1f, epoch);

        var state = TrainingRun.EarlyStopping.Start([Epoch(1, 0.7), Epoch(2, 0.8), Epoch(3, 0.75)], Weights(3f), _folder);

        Assert.Equal(1, state.Epoch);
        Assert.Equal([1f, 2f], Restored(state));
    }

    [Fact]
    public void A_file_of_another_epoch_than_the_best_is_refused()
    {
        WriteBest(2f, epoch: 2);

        var error = Assert.Throws<RunException>(() => TrainingRun.EarlyStopping.Start([Epoch(1, 0.7), Epoch(2, 0.8), Epoch(3, 0.75)], Weights(3f), _folder));

        Assert.Contains("holds the weights of epoch 2, but the run's best validation loss so far is epoch 1's", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fresh_run_has_no_best_and_reads_nothing()
    {
        var state = TrainingRun.EarlyStopping.Start([], Weights(1f), _folder);

        Assert.Equal(0, state.Epoch);
        Assert.False(File.Exists(BestFile));
    }
}
