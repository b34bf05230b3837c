using System.Globalization;
using System.Text;
using static RnnGraph.Dsl.Tests.Spec.SpecTestSupport;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>
/// A hostile spec cannot make the reader walk billions of nodes, recurse without end or read a huge file: the
/// alias-expanded node count, the nesting depth and the size are bounded, and each refusal is located.
/// </summary>
public sealed class SpecReaderLimitTests
{
    /// <summary>Ten anchored lists, each holding ten aliases of the one before: 10^10 nodes once expanded.</summary>
    private static string Laughs(int levels)
    {
        var sb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < levels; i++)
            sb.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        return sb.ToString();
    }

    [Fact]
    public void Aliases_of_aliases_are_refused_at_the_alias_that_passes_the_limit()
    {
        // Expanded sizes: a0 holds 11 nodes, a_k = 1 + 10 a_(k-1); before a4's list come the keys a0..a4 and a0..a3.
        long[] size = new long[5];
        size[0] = 11;
        for (int k = 1; k < 5; k++) size[k] = 1 + 10 * size[k - 1];
        long before = 5 + size[0] + size[1] + size[2] + size[3] + 1; // the keys, the four lists, a4's own '['
        int alias = (int)((100_000 - before) / size[3]) + 1;          // the first alias of a4 past 100,000
        Assert.True(before + (alias - 1) * size[3] <= 100_000 && before + alias * size[3] > 100_000);
        int column = "a4: &a4 [".Length + 1 + (alias - 1) * "*a3, ".Length;

        AssertErrors(Laughs(5),
            $"spec.yaml(5,{column}): error RG0001: invalid YAML: alias '*a3' stands for 11,111 nodes, which takes the document " +
            "past 100,000 nodes with every alias expanded; a spec needs a few hundred (repeated aliases of aliases grow exponentially)");
    }

    [Fact]
    public void The_billion_laughs_document_is_refused_with_one_error() =>
        Assert.Single(Errors(Laughs(10)));

    [Fact]
    public void A_few_shared_aliases_are_fine()
    {
        var (document, diagnostics) = Read("""
            model:
              inputs:
                x: &size { size: 3 }
              layers:
                - rnn: &cell { cell: gru, hidden: 2 }
                - rnn: *cell
            """);
        Assert.Empty(diagnostics);
        Assert.NotNull(document.Model);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_at_the_first_bracket_too_deep()
    {
        // The root mapping is level 1, so the 64th '[' would be level 65.
        string yaml = "model: " + new string('[', 100) + new string(']', 100) + "\n";
        AssertErrors(yaml,
            $"spec.yaml(1,{"model: ".Length + 64}): error RG0001: invalid YAML: mappings and sequences nest more than 64 deep here; a spec needs far fewer levels");
    }

    [Fact]
    public void Sixty_four_levels_are_read()
    {
        string yaml = "model: " + new string('[', 63) + new string(']', 63) + "\n";
        Assert.DoesNotContain(Errors(yaml), e => e.Contains("nest more than", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("model: !System.Diagnostics.Process { inputs: {} }\n", "!System.Diagnostics.Process")]
    [InlineData("model:\n  inputs:\n    x: { size: !!int 3 }\n", "!!int")]
    [InlineData("model: !<tag:example.com,2026:thing> {}\n", "tag:example.com,2026:thing")]
    public void A_type_tag_is_refused_where_it_stands(string yaml, string tag)
    {
        // Where the tag's '!' is: its line, and its column within that line (1-based).
        int at = yaml.IndexOf('!', StringComparison.Ordinal);
        int line = yaml[..at].Count(c => c == '\n') + 1;
        int column = at - (yaml.LastIndexOf('\n', at) + 1) + 1;
        Assert.Contains(
            $"spec.yaml({line},{column}): error RG0001: invalid YAML: the tag '{tag}' is not allowed: a spec is plain data, " +
            "and values take their type from where they stand (remove the tag)",
            Errors(yaml));
    }

    [Fact]
    public void A_file_over_four_mebibytes_is_refused_before_it_is_parsed()
    {
        string yaml = "model: {}\n# " + new string('x', 4 << 20) + "\n";
        AssertErrors(yaml,
            $"spec.yaml(1,1): error RG0001: invalid YAML: the spec is {yaml.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; " +
            "specs are limited to 4,194,304 (is this the right file?)");
    }
}
