using System.Xml.Linq;
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
        Assert.Contains("<td>&lt;td&gt;</td>", html);
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
        // Every inline SVG is well-formed XML.
        int at = 0;
        while ((at = html.IndexOf("<svg", at, StringComparison.Ordinal)) >= 0)
        {
            int end = html.IndexOf("</svg>", at, StringComparison.Ordinal) + "</svg>".Length;
            Assert.NotNull(XDocument.Parse(html[at..end]).Root);
            at = end;
        }
    }
}
