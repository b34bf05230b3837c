using System.Xml.Linq;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>The project's line charts: linear and log axes, percentages, escaping, determinism.</summary>
public sealed class LineChartSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XElement Parse(string svg) => XDocument.Parse(svg).Root!;

    private static List<string> Texts(XElement svg) => svg.Descendants(Svg + "text").Select(t => t.Value).ToList();

    [Fact]
    public void A_log_axis_spans_whole_decades_and_leaves_out_what_it_cannot_draw()
    {
        var chart = new LineChart("Gradient norm", "step", "norm", [new ChartSeries("rnn", "#000000", [(0, 0.002), (1, 0.5), (2, 3), (3, 0), (4, double.NaN)])]) { LogY = true };

        var svg = Parse(LineChartSvg.Render(chart));

        var texts = Texts(svg);
        Assert.Equal(["1e-3", "1e-2", "1e-1", "1e0", "1e1"], texts.Where(t => t.StartsWith("1e", StringComparison.Ordinal)));
        var line = Assert.Single(svg.Descendants(Svg + "polyline"));
        Assert.Equal(3, ((string)line.Attribute("points")!).Split(' ').Length); // 0 and NaN have no place on a log axis
    }

    [Fact]
    public void Percent_ticks_and_escaped_names()
    {
        var chart = new LineChart("Accuracy <held-out>", "epoch", "accuracy", [new ChartSeries("a&b", "#000000", [(1, 0.5), (2, 0.9)])]) { Percent = true };

        string text = LineChartSvg.Render(chart);
        var svg = Parse(text);

        Assert.Contains("Accuracy <held-out>", Texts(svg));
        Assert.Contains("a&b", Texts(svg));
        Assert.Contains("100%", Texts(svg));
        Assert.Contains("0%", Texts(svg));
        Assert.Equal(text, LineChartSvg.Render(chart));
    }

    [Fact]
    public void An_empty_chart_says_so()
    {
        var svg = Parse(LineChartSvg.Render(new LineChart("Loss", "epoch", "loss", [new ChartSeries("train", "#000000", [])]) { EmptyText = "nothing yet" }));
        Assert.Contains("nothing yet", Texts(svg));
        Assert.Empty(svg.Descendants(Svg + "polyline"));
    }
}
