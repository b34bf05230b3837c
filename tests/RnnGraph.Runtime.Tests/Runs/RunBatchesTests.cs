using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>Real batches for analyses: from a spec (initial weights) or a run folder (trained weights).</summary>
public sealed class RunBatchesTests : IDisposable
{
    private readonly string _folder = RunFolders.NewFolder();

    public void Dispose() => RunFolders.Delete(_folder);

    [Fact]
    public void A_spec_gives_its_first_batches_with_the_runs_initial_weights()
    {
        var sample = RunBatches.Load(RunFolders.HelloPath, [], batches: 1, steps: 3);

        var batch = Assert.Single(sample.Batches);
        Assert.Equal(3, batch.Steps);
        Assert.Equal(3 * batch.Batch, batch.Inputs.Length);
        Assert.Equal(3 * batch.Batch, batch.Targets.Length);
        Assert.All(batch.Lengths ?? [], l => Assert.InRange(l, 1, 3));
        Assert.Equal(8, sample.Compilation.Model!.Input.Vocab); // bound to hello's vocabulary, not the placeholder
        var initial = Runtime.Runs.ParameterInitializer.Create(sample.Compilation.Model, "default", 1);
        foreach (var p in initial) Assert.Equal(p.Value, sample.Parameters[p.Name].Value);
    }

    [Fact]
    public void A_run_folder_gives_its_trained_weights()
    {
        RunFolders.Train(_folder, epochs: 3);
        var trained = TrainedModel.Load(_folder);

        var sample = RunBatches.Load(_folder, [], batches: 1, steps: null);

        foreach (var p in trained.Parameters) Assert.Equal(p.Value, sample.Parameters[p.Name].Value);
        Assert.Equal(6, sample.Batches[0].Steps); // inputs <bos> h e l l o, targets h e l l o <eos>
    }

    [Fact]
    public void Overrides_apply_and_a_missing_spec_is_named()
    {
        var sample = RunBatches.Load(RunFolders.HelloPath, ["model.layers.0.rnn.hidden=5"], 1, null);
        Assert.Contains(sample.Compilation.Model!.Parameters, p => p.Dims.Contains(5 * 1) && p.Name.Contains("weight_hh", StringComparison.Ordinal));

        var e = Assert.Throws<RunException>(() => RunBatches.Load(Path.Combine(_folder, "nope.yaml"), [], 1, null));
        Assert.Contains("nope.yaml' does not exist", e.Message);
    }
}
