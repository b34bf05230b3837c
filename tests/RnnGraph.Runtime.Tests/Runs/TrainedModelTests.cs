using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>Reading a run folder back: the finished weights, the checkpoint of an interrupted run, and one-line errors.</summary>
public sealed class TrainedModelTests : IDisposable
{
    private readonly string _folder = RunFolders.NewFolder();

    public void Dispose() => RunFolders.Delete(_folder);

    [Fact]
    public void A_finished_run_loads_with_its_weights_vocabulary_and_settings()
    {
        var summary = RunFolders.Train(_folder, epochs: 3);

        var model = TrainedModel.Load(_folder);

        Assert.EndsWith("weights.safetensors", model.WeightsFile);
        Assert.Equal(8, model.Vocabulary.Count);
        Assert.Equal(3, model.Settings.Samples);
        Assert.Equal(0.5, model.Settings.Temperature);
        Assert.Equal(["h", "e"], model.Tokenizer.Tokenize("he"));
        var s = model.Settings;
        Assert.Equal(summary.Report.Lines, model.Generate(s.Samples, s.Prefix, s.MaxLength, s.Temperature, s.Seed));
    }

    [Fact]
    public void An_interrupted_run_falls_back_to_its_checkpoint()
    {
        RunFolders.Train(_folder, epochs: 2);
        var finished = TrainedModel.Load(_folder);
        File.Delete(Path.Combine(_folder, "weights.safetensors"));

        var model = TrainedModel.Load(_folder);

        Assert.EndsWith(Checkpoint.FileName, model.WeightsFile);
        foreach (var p in finished.Parameters) Assert.Equal(p.Value, model.Parameters[p.Name].Value);
    }

    [Fact]
    public void A_missing_folder_is_named() =>
        Assert.Equal($"run folder '{_folder}' does not exist", Assert.Throws<RunException>(() => TrainedModel.Load(_folder)).Message);

    [Theory]
    [InlineData("spec.yaml", "has no spec.yaml")]
    [InlineData("vocab.json", "has no vocab.json")]
    public void A_missing_file_is_named(string file, string message)
    {
        RunFolders.Train(_folder, epochs: 1);
        File.Delete(Path.Combine(_folder, file));

        var error = Assert.Throws<RunException>(() => TrainedModel.Load(_folder));

        Assert.Contains(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_folder_without_weights_or_checkpoint_is_named()
    {
        RunFolders.Train(_folder, epochs: 1);
        File.Delete(Path.Combine(_folder, "weights.safetensors"));
        File.Delete(Path.Combine(_folder, Checkpoint.FileName));

        var error = Assert.Throws<RunException>(() => TrainedModel.Load(_folder));

        Assert.Equal($"'{_folder}' has no weights: neither weights.safetensors nor checkpoint.safetensors", error.Message);
    }

    [Fact]
    public void Weights_of_another_model_are_rejected()
    {
        RunFolders.Train(_folder, epochs: 1);
        File.WriteAllText(Path.Combine(_folder, "spec.yaml"), File.ReadAllText(RunFolders.HelloPath).Replace("hidden: 16", "hidden: 12", StringComparison.Ordinal));

        var error = Assert.Throws<RunException>(() => TrainedModel.Load(_folder));

        Assert.Contains("is missing or has another shape", error.Message);
    }
}
