using System.Xml.Linq;

namespace RnnGraph.Cli.Tests;

public sealed class GradflowCommandTests
{
    [Fact]
    public void Gradflow_prints_the_decay_per_layer_and_writes_the_picture_and_the_csv()
    {
        using var folder = new TempFolder();
        string svg = Path.Combine(folder.Path, "flow.svg"), csv = Path.Combine(folder.Path, "flow.csv");
        var result = CliRunner.Run("gradflow", CliRunner.Example("hello.yaml"), "--batches", "1", "--out", svg, "--csv", csv,
                                   "--set", "model.layers.0.rnn.layers=2", "--title", "hello");

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Out.Split('\n');
        Assert.StartsWith("layer", lines[0]);
        Assert.Contains("first/last", lines[0]);
        Assert.StartsWith("rnn l0 ", lines[1]);
        Assert.StartsWith("rnn l1 ", lines[2]);
        Assert.Contains("over 6 steps, mean of 1 batch", result.Out);

        var document = XDocument.Load(svg);
        Assert.Equal(2, document.Descendants().Count(e => e.Name.LocalName == "polyline"));
        var rows = File.ReadAllLines(csv);
        Assert.Equal("step,rnn l0,rnn l1", rows[0]);
        Assert.Equal(1 + 6, rows.Length);
        Assert.StartsWith("5,", rows[^1]);
    }

    [Fact]
    public void A_missing_spec_is_a_one_line_error()
    {
        var result = CliRunner.Run("gradflow", "no-such-spec.yaml");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
    }

    [Fact]
    public void Vs_measures_a_second_model_and_draws_both_lines_named_by_their_source()
    {
        using var folder = new TempFolder();
        string lstm = Path.Combine(folder.Path, "hello-lstm.yaml"), svg = Path.Combine(folder.Path, "both.svg");
        File.WriteAllText(lstm, File.ReadAllText(CliRunner.Example("hello.yaml")).Replace("cell: rnn_tanh", "cell: lstm", StringComparison.Ordinal));
        var result = CliRunner.Run("gradflow", CliRunner.Example("hello.yaml"), "--vs", lstm, "--batches", "1", "--out", svg);

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Out.Split('\n');
        Assert.StartsWith("hello: rnn l0 ", lines[1]);
        Assert.StartsWith("hello-lstm: rnn l0 ", lines[2]);
        var texts = XDocument.Load(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        Assert.Contains("hello: rnn l0", texts);
        Assert.Contains("hello-lstm: rnn l0", texts);
        Assert.Contains("Gradient flow through time: hello vs hello-lstm", texts);
    }
}
