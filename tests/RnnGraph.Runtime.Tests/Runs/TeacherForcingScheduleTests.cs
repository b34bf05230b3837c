using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>
/// The teacher forcing schedule of an encoder-decoder run: the ratio of each epoch (constant, linear, exponential), and the
/// training batches that carry it — every step fed the reference at ratio 1, else a per-step, per-example draw at the epoch's ratio.
/// </summary>
public sealed class TeacherForcingScheduleTests : IDisposable
{
    private readonly string _folder = RunFolders.NewFolder();

    public void Dispose() => RunFolders.Delete(_folder);

    private string Spec(string training)
    {
        Directory.CreateDirectory(_folder);
        // 200 pairs: strings of 3..8 letters and their reverses.
        var random = new Random(5);
        File.WriteAllLines(Path.Combine(_folder, "pairs.tsv"), Enumerable.Range(0, 200).Select(_ =>
        {
            string word = new(Enumerable.Range(0, random.Next(3, 9)).Select(_ => (char)('a' + random.Next(6))).ToArray());
            return word + "\t" + new string(word.Reverse().ToArray());
        }));
        string path = Path.Combine(_folder, "reverse.yaml");
        File.WriteAllText(path, $$"""
            model:
              topology: encoder-decoder
              inputs:
                word: { vocab: auto }
              encoder:
                - embed: { dim: 4 }
                - rnn: { cell: gru, hidden: 6 }
              bridge: copy
              decoder:
                - embed: { dim: 4 }
                - rnn: { cell: gru, hidden: 6 }
                - dense: { units: auto }
              max_output_length: 10
            data:
              file: pairs.tsv
              format: pairs
              tokenizer: char
              target_tokenizer: char
              validation: 0.1
            training:
              batch_size: 50
              seed: 3
            {{training}}
            """);
        return path;
    }

    private static (RunSettings Settings, Compilation Probe) Load(string path)
    {
        var probe = Compilation.Create(new SourceText(path, File.ReadAllText(path)));
        Assert.False(probe.HasErrors, string.Join("\n", probe.Diagnostics));
        return (RunSettings.From(probe.Document!), probe);
    }

    [Theory]
    [InlineData("teacher_forcing: 0.7", new[] { 0.7, 0.7, 0.7, 0.7 })]
    [InlineData("teacher_forcing: 0.9\n  teacher_forcing_schedule: linear\n  teacher_forcing_end: 0.3", new[] { 0.9, 0.7, 0.5, 0.3 })]
    [InlineData("teacher_forcing: 0.8\n  teacher_forcing_schedule: exponential\n  teacher_forcing_end: 0.1", new[] { 0.8, 0.4, 0.2, 0.1 })]
    public void Each_epoch_gets_the_ratio_of_its_schedule(string keys, double[] expected)
    {
        var (settings, _) = Load(Spec("  epochs: 4\n  " + keys));

        for (int epoch = 1; epoch <= 4; epoch++) Assert.Equal(expected[epoch - 1], settings.TeacherForcingAt(epoch), 12);
    }

    [Fact]
    public void A_single_epoch_run_keeps_the_starting_ratio()
    {
        var (settings, _) = Load(Spec("  epochs: 1\n  teacher_forcing: 0.6\n  teacher_forcing_schedule: linear\n  teacher_forcing_end: 0.0"));

        Assert.Equal(0.6, settings.TeacherForcingAt(1), 12);
    }

    [Fact]
    public void Batches_carry_a_draw_at_the_epochs_ratio_that_a_resumed_run_repeats()
    {
        var (settings, probe) = Load(Spec("  epochs: 3\n  teacher_forcing: 1.0\n  teacher_forcing_schedule: linear\n  teacher_forcing_end: 0.2"));
        var task = RunTasks.Create(probe, settings, _folder);
        var trainer = new Trainer(task.Compilation, ParameterInitializer.Create(task.Model, "default", 3), Optimizers.Create("sgd"));

        // Epoch 1 is at ratio 1: every step reads the reference, so the batches carry no draw.
        Assert.All(task.TrainBatches(1, trainer), b => Assert.Null(b.Teacher));
        foreach (int epoch in new[] { 2, 3 })
        {
            double ratio = settings.TeacherForcingAt(epoch);
            var batches = task.TrainBatches(epoch, trainer).ToList();
            // Steps 1.. of every example: 1 (reference) with the epoch's probability; step 0 always reads <bos>.
            var draws = batches.SelectMany(b => b.Teacher!.Skip(b.Batch)).ToList();
            Assert.All(draws, d => Assert.True(d is 0f or 1f));
            double share = draws.Average(d => (double)d);
            double spread = 4 * Math.Sqrt(ratio * (1 - ratio) / draws.Count);
            Assert.True(Math.Abs(share - ratio) <= spread, $"epoch {epoch}: {share:0.000} of {draws.Count} draws fed the reference, expected {ratio:0.000} ± {spread:0.000}");
            // Drawn from the seed and the epoch: the same again (a resumed run), different from another epoch.
            Assert.Equal(batches.Select(b => b.Teacher!), task.TrainBatches(epoch, trainer).Select(b => b.Teacher!));
        }
        Assert.NotEqual(task.TrainBatches(2, trainer).First().Teacher!, task.TrainBatches(3, trainer).First().Teacher!);
    }
}
