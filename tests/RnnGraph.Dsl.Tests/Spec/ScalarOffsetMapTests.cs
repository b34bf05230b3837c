using RnnGraph.Dsl.Spec;
using RnnGraph.Dsl.Text;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>Each character of a scalar's value maps back to the character the user wrote.</summary>
public sealed class ScalarOffsetMapTests
{
    /// <summary>Loads <paramref name="yaml"/> and maps the value of the top-level key <paramref name="key"/>.</summary>
    private static (SourceText Source, string Value, ScalarOffsetMap Map) MapOf(string yaml, string key = "v")
    {
        var source = new SourceText("spec.yaml", yaml);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var scalar = (YamlScalarNode)root.Children[new YamlScalarNode(key)];
        return (source, scalar.Value!, ScalarOffsetMap.Create(source, scalar));
    }

    /// <summary>Every visible character of the value sits at its mapped offset in the file.</summary>
    private static void AssertVisibleCharactersMatch(SourceText source, string value, ScalarOffsetMap map)
    {
        Assert.Equal(value.Length, map.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (char.IsWhiteSpace(value[i])) continue;
            Assert.Equal(value[i], source.Text[map.ToSourceOffset(i)]);
        }
    }

    private static (int Line, int Column) Position(SourceText source, int offset)
    {
        var location = new TextLocation(source, new TextSpan(offset, 0));
        return (location.Line, location.Column);
    }

    [Fact]
    public void Literal_block_with_a_blank_line_maps_each_line_to_its_file_line()
    {
        var (source, value, map) = MapOf("v: |\n  f = a\n\n  g = b\nw: 1\n");

        Assert.Equal("f = a\n\ng = b\n", value);
        AssertVisibleCharactersMatch(source, value, map);
        Assert.Equal((2, 3), Position(source, map.ToSourceOffset(0)));               // f
        Assert.Equal((4, 3), Position(source, map.ToSourceOffset(value.IndexOf('g'))));
        Assert.Equal((4, 7), Position(source, map.ToSourceOffset(value.Length - 2))); // b
        Assert.Equal((2, 8), Position(source, map.ToSourceOffset(5)));               // the first line break ends line 2
        Assert.Equal((3, 1), Position(source, map.ToSourceOffset(6)));               // the blank line's break
    }

    [Fact]
    public void End_of_a_literal_block_stays_on_its_last_line()
    {
        var (source, value, map) = MapOf("v: |\n  f = a\n  g = b\nw: 1\n");

        Assert.Equal((3, 8), Position(source, map.ToSourceOffset(value.Length)));
        Assert.Equal((4, 1), Position(source, map.ToSourceOffset(value.Length + 1))); // past the end: onward in the file
    }

    [Fact]
    public void Strip_chomping_keeps_more_indented_lines_exact()
    {
        var (source, value, map) = MapOf("cell:\n  x: 1\nv: |-\n    a = 1\n      + 2\n    b = a\nw: 2\n");

        Assert.Equal("a = 1\n  + 2\nb = a", value);
        AssertVisibleCharactersMatch(source, value, map);
        Assert.Equal((5, 7), Position(source, map.ToSourceOffset(value.IndexOf('+'))));
        Assert.Equal((6, 10), Position(source, map.ToSourceOffset(value.Length)));
    }

    [Fact]
    public void Keep_chomping_and_a_blank_line_with_extra_spaces()
    {
        var (source, value, map) = MapOf("v: |+\n  a\n    \n  b\n\nw: 1\n");

        Assert.Equal("a\n  \nb\n\n", value);
        AssertVisibleCharactersMatch(source, value, map);
        Assert.Equal((4, 3), Position(source, map.ToSourceOffset(value.IndexOf('b'))));
        Assert.Equal((3, 3), Position(source, map.ToSourceOffset(2)));  // the spaces kept beyond the indentation of 2
    }

    [Fact]
    public void Literal_block_with_an_indentation_indicator_and_a_header_comment()
    {
        var (source, value, map) = MapOf("v: |2 # two spaces\n   a\n  b\n");

        Assert.Equal(" a\nb\n", value);
        AssertVisibleCharactersMatch(source, value, map);
        Assert.Equal((2, 4), Position(source, map.ToSourceOffset(1)));
    }

    [Fact]
    public void Literal_block_with_windows_line_breaks()
    {
        var (source, value, map) = MapOf("v: |\r\n  f = a\r\n  g = b\r\nw: 1\r\n");

        Assert.Equal("f = a\ng = b\n", value);
        AssertVisibleCharactersMatch(source, value, map);
        Assert.Equal((3, 3), Position(source, map.ToSourceOffset(6)));
    }

    [Fact]
    public void Literal_block_at_the_end_of_a_file_without_a_final_line_break()
    {
        var (source, value, map) = MapOf("v: |\n  h = x");

        AssertVisibleCharactersMatch(source, value, map);
        Assert.Equal((2, 3), Position(source, map.ToSourceOffset(0)));
    }

    [Fact]
    public void Plain_scalar_maps_to_start_plus_index()
    {
        var (source, value, map) = MapOf("v:   3*hidden  # comment\n");

        Assert.Equal("3*hidden", value);
        for (int i = 0; i <= value.Length; i++) Assert.Equal(5 + i, map.ToSourceOffset(i));
        Assert.Equal(5 + value.Length + 2, map.ToSourceOffset(value.Length + 2));
    }

    [Fact]
    public void Multi_line_plain_scalar_follows_the_fold()
    {
        var (source, value, map) = MapOf("v: a +\n   b\n");

        Assert.Equal("a + b", value);
        AssertVisibleCharactersMatch(source, value, map);
        Assert.Equal((2, 4), Position(source, map.ToSourceOffset(4)));
    }

    [Fact]
    public void Single_quoted_scalar_skips_the_quote_and_doubled_quotes()
    {
        var (source, value, map) = MapOf("v: 'it''s 2*hidden'\n");

        Assert.Equal("it's 2*hidden", value);
        AssertVisibleCharactersMatch(source, value, map);
        Assert.Equal(4, map.ToSourceOffset(0));
        Assert.Equal(10, map.ToSourceOffset(value.IndexOf('2')));
    }

    [Fact]
    public void Double_quoted_scalar_skips_escapes()
    {
        var (source, value, map) = MapOf("v: \"a\\tb \\u00e9 c\"\n");

        Assert.Equal("a\tb \u00e9 c", value);
        Assert.Equal(4, map.ToSourceOffset(0));
        Assert.Equal(7, map.ToSourceOffset(2));                       // b, after the two-character \t
        Assert.Equal(16, map.ToSourceOffset(value.IndexOf('c')));     // after the six-character \u00e9
    }

    [Fact]
    public void Folded_block_maps_its_words()
    {
        var (source, value, map) = MapOf("v: >\n  a = b\n  c = d\n");

        Assert.Equal("a = b c = d\n", value);
        AssertVisibleCharactersMatch(source, value, map);
        Assert.Equal((3, 3), Position(source, map.ToSourceOffset(value.IndexOf('c'))));
    }

    [Fact]
    public void Empty_values_map_to_where_they_would_start()
    {
        var (source, _, map) = MapOf("v: ''\nw: 1\n");

        Assert.Equal(0, map.Length);
        Assert.Equal(4, map.ToSourceOffset(0));
    }
}
