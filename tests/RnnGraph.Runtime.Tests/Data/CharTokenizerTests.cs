using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class CharTokenizerTests
{
    private static readonly CharTokenizer Tokenizer = new();

    public static TheoryData<string> Texts => new()
    {
        "",
        "hello world",
        "line one\nline two\r\nline three\r",
        "cafe\u0301 naïve",
        "👍🏽 🇫🇷 👨‍👩‍👧",
        "tab\tand\u0000nul",
        "\uD800 lone surrogate",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Round_trip_is_exact(string text) => Assert.Equal(text, Tokenizer.Detokenize(Tokenizer.Tokenize(text)));

    [Fact]
    public void Ascii_splits_into_chars() => Assert.Equal(["a", "b", " ", "c"], Tokenizer.Tokenize("ab c"));

    [Fact]
    public void A_combining_accent_stays_with_its_letter() =>
        Assert.Equal(["c", "a", "f", "e\u0301"], Tokenizer.Tokenize("cafe\u0301"));

    [Fact]
    public void Emoji_with_surrogates_modifiers_and_joiners_are_single_tokens() =>
        Assert.Equal(["👍🏽", "🇫🇷", "👨‍👩‍👧"], Tokenizer.Tokenize("👍🏽🇫🇷👨‍👩‍👧"));

    [Fact]
    public void Crlf_is_one_token() => Assert.Equal(["a", "\r\n", "b", "\n", "c"], Tokenizer.Tokenize("a\r\nb\nc"));

    [Fact]
    public void Normalizing_newlines_turns_crlf_and_lone_cr_into_lf()
    {
        var normalizing = new CharTokenizer(normalizeNewlines: true);
        Assert.Equal(["a", "\n", "b", "\n", "c", "\n"], normalizing.Tokenize("a\r\nb\rc\n"));
        Assert.Equal("a\nb\nc\n", normalizing.Detokenize(normalizing.Tokenize("a\r\nb\rc\n")));
    }
}
