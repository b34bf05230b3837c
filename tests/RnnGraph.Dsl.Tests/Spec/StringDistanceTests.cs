using RnnGraph.Dsl.Diagnostics;

namespace RnnGraph.Dsl.Tests.Spec;

public sealed class StringDistanceTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("hidden", "hidden", 0)]
    [InlineData("hiden", "hidden", 1)]
    [InlineData("hidedn", "hidden", 1)]   // adjacent swap counts once
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ca", "abc", 3)]          // optimal string alignment, not unrestricted Damerau (2)
    public void Distance(string a, string b, int expected)
    {
        Assert.Equal(expected, StringDistance.Distance(a, b));
        Assert.Equal(expected, StringDistance.Distance(b, a));
    }

    [Theory]
    [InlineData("hiden", "hidden")]
    [InlineData("batchfirst", "batch_first")]
    [InlineData("HIDDEN", "hidden")]
    [InlineData("rn", "rnn")]
    [InlineData("sofmax", "softmax")]
    public void Suggests_a_close_candidate(string typo, string expected) =>
        Assert.Equal(expected, StringDistance.Suggest(typo, ["cell", "hidden", "batch_first", "rnn", "softmax"]));

    [Theory]
    [InlineData("foo")]
    [InlineData("hddn")]      // two edits in four characters
    [InlineData("embedding")] // four edits from "embed"
    public void Suggests_nothing_when_no_candidate_is_close(string typo) =>
        Assert.Null(StringDistance.Suggest(typo, ["cell", "hidden", "embed", "rnn"]));

    [Fact]
    public void Ties_go_to_the_first_candidate() =>
        Assert.Equal("gru", StringDistance.Suggest("gry", ["gru", "grx"]));

    [Fact]
    public void No_candidates_no_suggestion() => Assert.Null(StringDistance.Suggest("x", []));
}
