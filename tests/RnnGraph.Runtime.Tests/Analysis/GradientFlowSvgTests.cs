using System.Xml.Linq;
using RnnGraph.Runtime.Analysis;

namespace RnnGraph.Runtime.Tests.Analysis;

public sealed class GradientFlowSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static GradientFlowResult Result() => new(6, 2,
    [
        new GradientFlowSeries("rnn", 0, false, [1e-7, 1e-5, 1e-4, 1e-3, 1e-2, 0.5]),
        new GradientFlowSeries("rnn", 0, true, [0.2, 0.1, 0.05, 0.0, double.NaN, 0.01]),
        new GradientFlowSeries("decoder", 1, false, [0.3, 0.3, 0.3, 0.3, 0.3, 0.3]),
    ]);

    [Fact]
    public void The_picture_is_xml_with_one_line_per_series_and_a_legend()
    {
        var document = XDocument.Parse(GradientFlowSvg.Render(Result(), "Gradient flow & more"));
        var lines = document.Descendants(Svg + "polyline").Where(p => (string?)p.Attribute("class") == "series").ToList();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Equal(6, ((string)l.Attribute("points")!).Split(' ').Length));
        var legend = document.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend");
        Assert.Equal(["rnn l0", "rnn l0 reverse", "decoder l1"], legend.Elements(Svg + "text").Select(t => t.Value));
        Assert.Equal("Gradient flow & more", document.Root!.Element(Svg + "title")!.Value);
    }

    [Fact]
    public void The_y_axis_has_a_label_per_decade_and_clipped_values_are_noted()
    {
        var document = XDocument.Parse(GradientFlowSvg.Render(Result()));
        var ticks = document.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "y-ticks").Elements(Svg + "text").Select(t => t.Value);
        Assert.Equal(["1e-7", "1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "1e0"], ticks);
        var note = document.Descendants(Svg + "text").Single(t => (string?)t.Attribute("class") == "note").Value;
        Assert.Contains("2 zero or non-finite values drawn at the bottom edge", note);
        Assert.DoesNotContain("NaN", GradientFlowSvg.Render(Result()));
    }

    [Fact]
    public void The_output_is_deterministic_and_written_atomically()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gradflow-svg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "flow.svg");
            GradientFlowSvg.Write(path, Result());
            Assert.Equal(GradientFlowSvg.Render(Result()), File.ReadAllText(path));
            Assert.Equal(GradientFlowSvg.Render(Result()), GradientFlowSvg.Render(Result()));
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
