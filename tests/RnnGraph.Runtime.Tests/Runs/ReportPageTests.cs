using System.Xml.Linq;
using RnnGraph.Runtime.Analysis;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>report.html: a self-contained page written with every run, rewritten after each epoch.</summary>
public sealed class ReportPageTests : IDisposable
{
    private readonly string _folder = RunFolders.NewFolder();

    public void Dispose() => RunFolders.Delete(_folder);

    [Fact]
    public void The_page_escapes_text_links_its_sections_and_names_its_figures()
    {
        string html = ReportPage.Render("a <b> & c", "sub", [
            new ReportSection("one", "First", ReportPage.Figure("loss", "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>", "cap <x>")),
            new ReportSection("two", "Second", ReportPage.Table(["h"], [["<td>"]])),
        ]);

        Assert.Contains("<title>a &lt;b&gt; &amp; c</title>", html);
        Assert.Contains("<a href=\"#one\">First</a><a href=\"#two\">Second</a>", html);
        Assert.Contains("<figure data-plot=\"loss\">\n<svg", html); // the XML prologue is dropped inside HTML
        Assert.Contains("cap &lt;x&gt;", html);
        Assert.Contains("<td class=\"text\">&lt;td&gt;</td>", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal)); // nothing to fetch
    }

    [Fact]
    public void A_run_writes_its_report_with_curves_results_model_graph_and_spec()
    {
        RunFolders.Train(_folder, epochs: 4);

        string html = File.ReadAllText(Path.Combine(_folder, ReportPage.FileName));
        Assert.Contains("finished: 4 of 4 epochs", html);
        Assert.Contains("data-plot=\"loss\"", html);
        Assert.Contains("data-plot=\"learning-rate\"", html);
        Assert.Contains("<h2>Samples</h2>", html);
        Assert.Contains("<h2>Model</h2>", html);
        Assert.Contains("<h2>Compiled graph</h2>", html);
        Assert.Contains("rnn_tanh", html); // the spec, as run
        Assert.Contains("data-plot=\"gradient-flow\"", html);
        Assert.Contains("data-plot=\"gradient-flow-first\"", html); // epoch 1 beside epoch 4
        Assert.Contains("<th>FLOPs/step</th>", html); // the model summary
        // Every inline SVG is well-formed XML.
        int at = 0;
        while ((at = html.IndexOf("<svg", at, StringComparison.Ordinal)) >= 0)
        {
            int end = html.IndexOf("</svg>", at, StringComparison.Ordinal) + "</svg>".Length;
            Assert.NotNull(XDocument.Parse(html[at..end]).Root);
            at = end;
        }
    }

    [Fact]
    public void A_run_records_the_gradient_flow_of_every_epoch_and_a_resumed_run_keeps_it()
    {
        RunFolders.Train(_folder, epochs: 2);
        string path = Path.Combine(_folder, GradientFlowFile.FileName);
        var flows = GradientFlowFile.Read(path);
        Assert.Equal([1, 2], flows.Select(f => f.Epoch));
        var series = Assert.Single(flows[1].Flow.Series);
        Assert.Equal("rnn l0", series.Label);
        Assert.Equal(6, series.Norms.Count); // hello: <bos> h e l l o
        Assert.All(series.Norms, n => Assert.True(n > 0 && double.IsFinite(n), $"norm {n}"));

        // Measured again from the file's numbers: the same as a fresh measurement with the trained weights.
        var sample = RunBatches.Load(_folder, [], batches: 1, steps: null);
        var fresh = GradientFlow.Measure(sample.Compilation, sample.Parameters, sample.Batches, sample.Loss);
        for (int t = 0; t < 6; t++) Assert.Equal(fresh.Series[0].Norms[t], series.Norms[t], 12);

        // A resumed run keeps the earlier epochs' rows and adds its own.
        var spec = RnnGraph.Compiler.Compilation.Create(new RnnGraph.Dsl.Text.SourceText(Path.Combine(_folder, "spec.yaml"), File.ReadAllText(Path.Combine(_folder, "spec.yaml"))));
        TrainingRun.Run(spec, _folder, new LineRunObserver(_ => { }), epochsOverride: 3, resume: true);
        var resumed = GradientFlowFile.Read(path);
        Assert.Equal([1, 2, 3], resumed.Select(f => f.Epoch));
        Assert.Equal(series.Norms, resumed[1].Flow.Series[0].Norms);
    }

    [Fact]
    public void A_malformed_gradient_flow_file_is_named()
    {
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, GradientFlowFile.FileName);
        File.WriteAllText(path, "epoch,series,step,norm\n1,rnn l0,zero,1\n");
        var e = Assert.Throws<RunException>(() => GradientFlowFile.Read(path));
        Assert.StartsWith($"{path}: not a gradient-flow file written by rnngraph run", e.Message);
    }
}
