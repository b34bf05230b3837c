using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary><c>rnngraph run</c> on a one-to-many model: a text generated for a label given as a one-hot condition.</summary>
public sealed class ConditionalGenerationRunTests : IDisposable
{
    private readonly string _folder = RunFolders.NewFolder();

    public ConditionalGenerationRunTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => RunFolders.Delete(_folder);

    /// <summary>Label 'a' always goes with the text "ana", label 'b' with "bob": only the condition tells them apart.</summary>
    private Compilation Spec(string condition = "first-step", int size = 2, string format = "labelled")
    {
        var lines = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? "a\tana" : "b\tbob");
        File.WriteAllText(Path.Combine(_folder, "data.tsv"), string.Join('\n', lines) + "\n");
        string path = Path.Combine(_folder, "spec.yaml");
        string text = $$"""
            model:
              topology: one-to-many
              condition: {{condition}}
              inputs:
                label: { size: {{size}} }
              layers:
                - rnn: { cell: gru, hidden: 16 }
                - dense: { units: auto }
            data:
              file: data.tsv
              format: {{format}}
              validation: 0.25
            training:
              epochs: 30
              batch_size: 10
              learning_rate: 0.05
              seed: 2
            generation:
              samples: 3
              max_length: 10
              temperature: 0.5
            """;
        File.WriteAllText(path, text);
        var compilation = Compilation.Create(new SourceText(path, text));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        return compilation;
    }

    private RunSummary Train(Compilation spec) => TrainingRun.Run(spec, Path.Combine(_folder, "run"), new LineRunObserver(_ => { }));

    [Theory]
    [InlineData("first-step")]
    [InlineData("state")]
    public void Each_label_gets_its_own_text(string condition)
    {
        var summary = Train(Spec(condition));

        string run = Path.Combine(_folder, "run");
        Assert.Equal(["a\tana", "a\tana", "a\tana", "b\tbob", "b\tbob", "b\tbob"], File.ReadAllLines(Path.Combine(run, "samples.txt")));
        Assert.True(summary.LossIsPerToken);
        Assert.True(summary.ValidationLoss < 0.05, $"validation loss {summary.ValidationLoss}");
        Assert.Contains("condition accuracy 100.00%: for 10 of 10 held-out texts the model finds its own label the likeliest (chance 50%)", summary.Report.Lines);

        var model = TrainedModel.Load(run);
        Assert.Equal(["a", "b"], model.Labels);
        Assert.Equal(["b\tbob", "b\tbob"], model.Generate(2, "", 10, 0.5, seed: 1, label: "b"));
        var scores = model.ScoreLabels("ana");
        Assert.True(scores[0] > scores[1] + 5, $"log-likelihoods of 'ana': a {scores[0]}, b {scores[1]}");
        scores = model.ScoreLabels("bob");
        Assert.True(scores[1] > scores[0] + 5, $"log-likelihoods of 'bob': a {scores[0]}, b {scores[1]}");
    }

    [Fact]
    public void An_unknown_label_is_named_with_the_known_ones()
    {
        Train(Spec());
        var model = TrainedModel.Load(Path.Combine(_folder, "run"));
        var e = Assert.Throws<RunException>(() => model.Generate(1, "", 10, 1.0, 1, label: "c"));
        Assert.Equal("'c' is not a label of this model; its labels are a, b", e.Message);
    }

    [Fact]
    public void The_condition_size_must_match_the_labels()
    {
        var e = Assert.Throws<RunException>(() => Train(Spec(size: 3)));
        Assert.Equal("input 'label' has size 3 but the data has 2 labels (a, b), each given to the model as a one-hot vector; use 'size: 2'", e.Message);
    }

    [Fact]
    public void A_one_to_many_model_needs_labelled_lines()
    {
        var e = Assert.Throws<RunException>(() => Train(Spec(format: "lines")));
        Assert.Equal("a one-to-many model learns to generate a text for a label: set 'data.format: labelled' (one 'label<TAB>text' per line); the spec has 'format: lines'", e.Message);
    }
}
