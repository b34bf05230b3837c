using System.Xml.Linq;
using RnnGraph.Runtime.Runs;

namespace RnnGraph.Runtime.Tests.Runs;

/// <summary>loss.svg: well-formed, one polyline per series, a title, axes labels and a legend, and the same bytes for the same metrics.</summary>
public sealed class LossCurveSvgTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly string _folder = RunFolders.NewFolder();

    public LossCurveSvgTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => RunFolders.Delete(_folder);

    private static List<EpochMetrics> Metrics(int epochs, bool validation) =>
        Enumerable.Range(1, epochs).Select(e => new EpochMetrics(e, epochs, 2.5 / e, validation ? 2.2 / Math.Sqrt(e) : null, 1000, 1.5)).ToList();

    [Fact]
    public void Train_and_validation_each_get_a_polyline_with_a_point_per_epoch()
    {
        string path = Path.Combine(_folder, LossCurveSvg.FileName);
        LossCurveSvg.Write(path, Metrics(12, validation: true));

        var svg = XDocument.Load(path).Root!;

        Assert.Equal(Svg + "svg", svg.Name);
        var lines = svg.Descendants(Svg + "polyline").ToList();
        Assert.Equal(["train", "validation"], lines.Select(l => (string)l.Attribute("class")!));
        Assert.All(lines, l => Assert.Equal(12, ((string)l.Attribute("points")!).Split(' ').Length));
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("Loss per epoch", texts);
        Assert.Contains("epoch", texts);
        Assert.Contains("train", texts);
        Assert.Contains("validation", texts);
        Assert.Contains("12", texts);
        Assert.Single(svg.Descendants(Svg + "g"), g => (string?)g.Attribute("class") == "legend");
    }

    [Fact]
    public void Without_validation_there_is_only_the_train_curve()
    {
        var svg = XDocument.Parse(LossCurveSvg.Render(Metrics(3, validation: false))).Root!;

        Assert.Equal(["train"], svg.Descendants(Svg + "polyline").Select(l => (string)l.Attribute("class")!));
        Assert.DoesNotContain("validation", svg.Descendants(Svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void Output_is_deterministic_with_fixed_decimals()
    {
        var metrics = Metrics(7, validation: true);
        string svg = LossCurveSvg.Render(metrics);

        Assert.Equal(svg, LossCurveSvg.Render(metrics.ToList()));
        var points = (string)XDocument.Parse(svg).Root!.Descendants(Svg + "polyline").First().Attribute("points")!;
        Assert.All(points.Split(' ', ','), c => Assert.Matches(@"^\d+\.\d\d$", c));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void No_or_one_epoch_still_gives_a_well_formed_chart(int epochs)
    {
        var svg = XDocument.Parse(LossCurveSvg.Render(Metrics(epochs, validation: true))).Root!;

        Assert.NotNull(svg);
        Assert.DoesNotContain("NaN", svg.ToString());
        Assert.DoesNotContain("Infinity", svg.ToString());
    }

    [Fact]
    public void A_real_runs_metrics_file_renders()
    {
        RunFolders.Train(Path.Combine(_folder, "hello"), epochs: 4);
        var metrics = MetricsFile.Read(Path.Combine(_folder, "hello", MetricsFile.FileName));
        string path = Path.Combine(_folder, "hello", LossCurveSvg.FileName);

        LossCurveSvg.Write(path, metrics);

        var line = Assert.Single(XDocument.Load(path).Root!.Descendants(Svg + "polyline"));
        Assert.Equal(4, ((string)line.Attribute("points")!).Split(' ').Length);
    }
}
