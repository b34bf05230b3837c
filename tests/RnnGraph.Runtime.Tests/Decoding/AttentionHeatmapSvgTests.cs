using System.Globalization;
using System.Xml.Linq;
using RnnGraph.Runtime.Decoding;

namespace RnnGraph.Runtime.Tests.Decoding;

/// <summary>The attention heat map is well-formed SVG with one shaded cell per (output, source) pair, escapes its labels
/// and refuses weights that do not fit the tokens or [0, 1].</summary>
public sealed class AttentionHeatmapSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static List<XElement> Cells(XDocument document) =>
        document.Descendants(Svg + "rect").Where(e => (string?)e.Attribute("class") == "cell").ToList();

    /// <summary>Relative luminance (ITU-R BT.709 weights) of a "#rrggbb" fill: 1 is white, lower is darker.</summary>
    private static double Luminance(string fill)
    {
        Assert.Matches("^#[0-9a-f]{6}$", fill);
        double Channel(int at) => int.Parse(fill.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
        return 0.2126 * Channel(1) + 0.7152 * Channel(3) + 0.0722 * Channel(5);
    }

    [Fact]
    public void OneCellPerPairShadedDarkerForLargerWeights()
    {
        string[] sources = ["c", "a", "t", "s", "</s>"];
        string[] outputs = ["K", "AE1", "T", "S"];
        var random = new Random(5);
        var weights = new float[outputs.Length, sources.Length];
        for (int r = 0; r < outputs.Length; r++)
            for (int c = 0; c < sources.Length; c++)
                weights[r, c] = (float)random.NextDouble();
        weights[0, 0] = 0f;
        weights[1, 1] = 1f;
        weights[2, 2] = 0.5f;
        weights[2, 3] = 0.5f; // equal weights, equal shade

        var document = XDocument.Parse(AttentionHeatmapSvg.Render(sources, outputs, weights, "cats"));
        Assert.Equal(Svg + "svg", document.Root!.Name);
        var cells = Cells(document);
        Assert.Equal(outputs.Length * sources.Length, cells.Count);

        // Cells come row by row; each tooltip names its pair and weight.
        var shaded = new List<(float Weight, double Luminance)>();
        for (int r = 0; r < outputs.Length; r++)
            for (int c = 0; c < sources.Length; c++)
            {
                var cell = cells[r * sources.Length + c];
                Assert.Equal($"{outputs[r]} → {sources[c]}: {weights[r, c].ToString("F3", CultureInfo.InvariantCulture)}", cell.Element(Svg + "title")!.Value);
                shaded.Add((weights[r, c], Luminance((string)cell.Attribute("fill")!)));
            }
        Assert.Equal(1.0, shaded.Single(s => s.Weight == 0f).Luminance, 12);
        Assert.True(shaded.Single(s => s.Weight == 1f).Luminance < 0.2, "weight 1 is dark");
        var ordered = shaded.OrderBy(s => s.Weight).ToList();
        for (int i = 1; i < ordered.Count; i++)
        {
            Assert.True(ordered[i].Luminance <= ordered[i - 1].Luminance, $"weight {ordered[i].Weight} is lighter than {ordered[i - 1].Weight}");
            if (ordered[i].Weight - ordered[i - 1].Weight > 0.01f)
                Assert.True(ordered[i].Luminance < ordered[i - 1].Luminance, $"weight {ordered[i].Weight} is not darker than {ordered[i - 1].Weight}");
        }

        // Row labels sit left of the grid, column labels above it.
        double gridLeft = cells.Min(c => double.Parse((string)c.Attribute("x")!, CultureInfo.InvariantCulture));
        double gridTop = cells.Min(c => double.Parse((string)c.Attribute("y")!, CultureInfo.InvariantCulture));
        var texts = document.Descendants(Svg + "text").ToList();
        foreach (string output in outputs)
            Assert.Contains(texts, t => t.Value == output && double.Parse((string)t.Attribute("x")!, CultureInfo.InvariantCulture) < gridLeft);
        foreach (string source in sources)
            Assert.Contains(texts, t => t.Value == source && double.Parse((string)t.Attribute("y")!, CultureInfo.InvariantCulture) < gridTop);
    }

    [Fact]
    public void LabelsAndTitleAreEscapedAndRoundTrip()
    {
        string[] sources = ["<s>", "a&b", "\"q\"", "it's", "tab\there"];
        string[] outputs = ["</s>", "x > y", "&amp;"];
        var weights = new float[3, 5];
        weights[1, 2] = 0.25f;
        string svg = AttentionHeatmapSvg.Render(sources, outputs, weights, "attention <3 & \"more\"");

        var document = XDocument.Parse(svg);
        var texts = document.Descendants(Svg + "text").Select(t => t.Value).ToList();
        foreach (string label in sources.Take(4).Concat(outputs)) Assert.Contains(label, texts);
        Assert.Contains("tab\\u0009here", texts); // a control character is shown, not dropped or written raw
        Assert.Equal("attention <3 & \"more\"", document.Root!.Element(Svg + "title")!.Value);
        Assert.Equal("x > y → \"q\": 0.250", Cells(document)[1 * 5 + 2].Element(Svg + "title")!.Value);
        Assert.DoesNotContain("<s>", svg);
        Assert.DoesNotContain("a&b", svg);
    }

    [Fact]
    public void LongSourceLabelsAreTurnedAndCut()
    {
        string longWord = new('w', 40);
        var document = XDocument.Parse(AttentionHeatmapSvg.Render(["antidisestablishment", longWord], ["y"], new float[,] { { 0.2f, 0.8f } }, "long"));
        var labels = document.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "source-labels").Elements(Svg + "text").ToList();
        Assert.Equal(2, labels.Count);
        Assert.All(labels, l => Assert.StartsWith("rotate(-90 ", (string)l.Attribute("transform")!));
        Assert.Equal("antidisestablishment", labels[0].Value);
        Assert.Equal(new string('w', 23) + "…", labels[1].Value);
        Assert.Equal($"y → {longWord}: 0.800", Cells(document)[1].Element(Svg + "title")!.Value);
    }

    [Fact]
    public void NoOutputTokensGiveAnEmptyGrid()
    {
        var document = XDocument.Parse(AttentionHeatmapSvg.Render(["a", "b"], [], new float[0, 2], "empty"));
        Assert.Empty(Cells(document));
        Assert.Contains(document.Descendants(Svg + "text"), t => t.Value == "no output tokens");
    }

    [Fact]
    public void SameInputsGiveTheSameFile()
    {
        var weights = new float[,] { { 0.125f, 0.875f }, { 1f / 3, 2f / 3 } };
        string first = AttentionHeatmapSvg.Render(["a", "b"], ["x", "y"], weights, "t");
        Assert.Equal(first, AttentionHeatmapSvg.Render(["a", "b"], ["x", "y"], weights, "t"));
        Assert.Contains("x → b: 0.875", first);
        Assert.Contains("y → a: 0.333", first);
    }

    [Fact]
    public void ShapeMismatchIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => AttentionHeatmapSvg.Render(["a", "b", "c"], ["x", "y"], new float[3, 2], "t"));
        Assert.Contains("the attention weights are [3, 2] but there are 2 output and 3 source tokens: pass weights as [outputs, sources]", error.Message);
        Assert.Throws<ArgumentException>(() => AttentionHeatmapSvg.Render(["a", "b", "c"], ["x", "y"], new float[2, 2], "t"));
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(-0.001f, "-0.001")]
    [InlineData(1.5f, "1.5")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void WeightsOutsideZeroToOneAreRefused(float bad, string shown)
    {
        var weights = new float[2, 3];
        weights[1, 2] = bad;
        var error = Assert.Throws<ArgumentException>(() => AttentionHeatmapSvg.Render(["a", "b", "c"], ["x", "y"], weights, "t"));
        Assert.Contains($"attention weight [1, 2] (output 'y', source 'c') is {shown}, outside [0, 1]", error.Message);
    }
}
