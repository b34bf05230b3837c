using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>The <c>training.init</c> key: the weight initialization.</summary>
public sealed class SpecReaderInitTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("xavier")]
    [InlineData("orthogonal")]
    public void Reads_the_init_key(string init)
    {
        var training = Read(MinimalModel + $"training:\n  init: {init}\n").Document.Training!;

        Assert.Equal(init, training.Init!.Value.Value);
        Assert.Equal((7, 9), (training.Init.Value.Location.Line, training.Init.Value.Location.Column));
    }

    [Fact]
    public void An_omitted_init_stays_null() =>
        Assert.Null(Read(MinimalModel + "training: { seed: 3 }\n").Document.Training!.Init);

    [Fact]
    public void An_unknown_init_suggests_a_close_name() =>
        AssertErrors(MinimalModel + "training: { init: xavir }\n",
            "spec.yaml(6,19): error RG0022: unknown weight initialization 'xavir'; did you mean 'xavier'?");

    [Fact]
    public void An_unknown_init_far_from_any_lists_the_choices() =>
        AssertErrors(MinimalModel + "training: { init: kaiming }\n",
            "spec.yaml(6,19): error RG0022: unknown weight initialization 'kaiming'; expected default, xavier or orthogonal");
}
