using System.Globalization;
using System.Text.Json;
using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Data;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary><c>rnngraph run</c> on a many-to-one model: labelled lines, accuracy, predictions, the classifier's run folder.</summary>
public sealed class ClassificationRunTests : IDisposable
{
    private readonly string _folder = RunFolders.NewFolder();

    public ClassificationRunTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => RunFolders.Delete(_folder);

    private static readonly string[] PositiveWords = ["good", "great", "fine", "lovely", "nice", "superb"];
    private static readonly string[] NegativeWords = ["bad", "awful", "poor", "dreadful", "grim", "nasty"];
    private static readonly string[] SharedWords = ["the", "film", "was", "and", "very", "plot"];

    /// <summary>120 lines 'pos|neg TAB words': each text mixes shared words with words only its label uses.</summary>
    private string WriteData()
    {
        var random = new Random(7);
        var lines = new List<string>();
        for (int i = 0; i < 120; i++)
        {
            bool positive = i % 2 == 0;
            var own = positive ? PositiveWords : NegativeWords;
            int length = random.Next(3, 14);
            var words = Enumerable.Range(0, length).Select(k => k % 3 == 1 ? own[random.Next(own.Length)] : SharedWords[random.Next(SharedWords.Length)]);
            lines.Add((positive ? "pos" : "neg") + "\t" + string.Join(' ', words));
        }
        string path = Path.Combine(_folder, "reviews.tsv");
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private Compilation Spec(string units = "2", string format = "labelled", string pooling = "max", string data = "")
    {
        WriteData();
        string path = Path.Combine(_folder, "spec.yaml");
        string text = $"""
            model:
              topology: many-to-one
              pooling: {pooling}
              inputs:
                x: {"{"} vocab: auto {"}"}
              layers:
                - embed: {"{"} dim: 8 {"}"}
                - rnn: {"{"} cell: gru, hidden: 12, bidirectional: true {"}"}
                - dense: {"{"} units: {units} {"}"}
            data:
              file: reviews.tsv
              format: {format}
              tokenizer: word
              validation: 0.25
            {data}training:
              epochs: 12
              batch_size: 8
              learning_rate: 0.02
              seed: 3
            """;
        File.WriteAllText(path, text);
        var compilation = Compilation.Create(new SourceText(path, text));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return compilation;
    }

    private RunSummary Train(Compilation spec, string name = "run", int? epochs = null, bool resume = false) =>
        TrainingRun.Run(spec, Path.Combine(_folder, name), new LineRunObserver(_ => { }), epochs, resume);

    [Theory]
    [InlineData("2", "max")]
    [InlineData("1", "last")]
    public void A_classifier_learns_a_separable_task_and_reports_held_out_accuracy(string units, string pooling)
    {
        var summary = Train(Spec(units, pooling: pooling));

        Assert.False(summary.LossIsPerToken);
        Assert.Equal(1.0, summary.ValidationAccuracy);
        string run = Path.Combine(_folder, "run");
        var metrics = MetricsFile.Read(Path.Combine(run, MetricsFile.FileName));
        Assert.Equal(12, metrics.Count);
        Assert.True(metrics[0].TrainLoss > 0.4, $"an untrained classifier starts near ln 2, got {metrics[0].TrainLoss}");
        Assert.True(metrics[^1].TrainLoss < 0.1, $"the loss should fall on a separable task, got {metrics[^1].TrainLoss}");
        Assert.All(metrics, m => Assert.Null(m.ValidationPerplexity));

        // 30 of 120 lines are held out; predictions.tsv lists each with the right label.
        var predictions = File.ReadAllLines(Path.Combine(run, "predictions.tsv"));
        Assert.Equal("label\tpredicted\tprobability\ttext", predictions[0]);
        Assert.Equal(31, predictions.Length);
        Assert.All(predictions.Skip(1), line => Assert.Equal(line.Split('\t')[0], line.Split('\t')[1]));
        Assert.Equal(30, File.ReadAllLines(Path.Combine(run, "validation.tsv")).Length);
        Assert.Equal(["neg", "pos"], LabelsFile.Read(Path.Combine(run, LabelsFile.FileName)));
        Assert.Contains("accuracy 100.00% (30 of 30 held-out examples); predictions.tsv has each one", summary.Report.Lines);

        // metrics.jsonl carries the same numbers as metrics.csv.
        var json = File.ReadAllLines(Path.Combine(run, MetricsFile.JsonLinesFileName)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(12, json.Count);
        Assert.Equal(metrics[^1].TrainLoss, json[^1].GetProperty("train_loss").GetDouble());
        Assert.Equal(1.0, json[^1].GetProperty("validation_accuracy").GetDouble());
        Assert.Equal(JsonValueKind.Null, json[^1].GetProperty("validation_perplexity").ValueKind);

        // The trained model reads back and labels new texts.
        var model = TrainedModel.Load(run);
        Assert.Equal(["neg", "pos"], model.Labels);
        var p = model.Classify("the plot was lovely and the film nice");
        Assert.Equal(1.0, p.Sum(), 1e-9);
        Assert.True(p[1] > 0.9, $"p(pos) = {p[1]}");
        Assert.True(model.Classify("the film was grim and very nasty")[0] > 0.9);
    }

    [Fact]
    public void Validation_accuracy_counts_the_held_out_predictions_in_the_file()
    {
        var summary = Train(Spec(), epochs: 1);

        var predictions = File.ReadAllLines(Path.Combine(_folder, "run", "predictions.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
        double accuracy = predictions.Count(f => f[0] == f[1]) / (double)predictions.Count;
        Assert.Equal(accuracy, summary.ValidationAccuracy!.Value, 12);
        Assert.All(predictions, f => Assert.InRange(double.Parse(f[2], CultureInfo.InvariantCulture), 0.5, 1.0));
    }

    [Fact]
    public void A_resumed_classifier_run_ends_with_the_weights_of_an_uninterrupted_one()
    {
        var spec = Spec();
        Train(spec, "full", epochs: 4);
        Train(spec, "part", epochs: 2);
        Train(Compilation.Create(new SourceText(Path.Combine(_folder, "part", "spec.yaml"), File.ReadAllText(Path.Combine(_folder, "part", "spec.yaml")))),
            "part", epochs: 4, resume: true);

        var full = SafeTensors.Read(Path.Combine(_folder, "full", "weights.safetensors"));
        var resumed = SafeTensors.Read(Path.Combine(_folder, "part", "weights.safetensors"));
        Assert.Equal(full.Keys.Order(), resumed.Keys.Order());
        foreach (var (name, value) in full) Assert.Equal(value.ToFloatArray(), resumed[name].ToFloatArray());
    }

    [Fact]
    public void A_many_to_one_model_needs_labelled_lines()
    {
        var e = Assert.Throws<RunException>(() => Train(Spec(format: "lines")));
        Assert.Equal("a many-to-one model is trained as a classifier on labelled lines: set 'data.format: labelled' (one 'label<TAB>text' per line); the spec has 'format: lines'", e.Message);
    }

    [Fact]
    public void The_output_units_must_match_the_labels()
    {
        var e = Assert.Throws<RunException>(() => Train(Spec(units: "3")));
        Assert.Equal("the last layer gives 3 values but the data has 2 labels (neg, pos); use 'units: 2' (cross-entropy) or 'units: 1' (binary cross-entropy)", e.Message);
    }

    [Fact]
    public void A_line_without_a_tab_is_reported_at_its_line()
    {
        var spec = Spec();
        File.AppendAllText(Path.Combine(_folder, "reviews.tsv"), "pos good film\n");
        var e = Assert.Throws<DataFileException>(() => Train(spec));
        Assert.Contains("(121,1)", e.Message);
        Assert.Contains("expected 'label<TAB>text' but the line has no tab", e.Message);
    }

    [Fact]
    public void A_single_label_is_refused()
    {
        var spec = Spec();
        string path = Path.Combine(_folder, "reviews.tsv");
        File.WriteAllLines(path, File.ReadAllLines(path).Where(l => l.StartsWith("pos", StringComparison.Ordinal)));
        var e = Assert.Throws<RunException>(() => Train(spec));
        Assert.Equal($"{path}: every line has the label 'pos'; a classifier needs at least two labels", e.Message);
    }

    [Fact]
    public void Max_tokens_cuts_every_text()
    {
        var spec = Spec(data: "  max_tokens: 2\n");
        var lines = new List<string>();
        TrainingRun.Run(spec, Path.Combine(_folder, "cut"), new LineRunObserver(lines.Add), epochsOverride: 1);

        // 120 texts of at least 3 words, 2 tokens kept of each.
        Assert.Contains(lines, l => l.StartsWith("data: 90 training and 30 validation examples, 240 tokens,", StringComparison.Ordinal));
    }
}
