using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class WordTokenizerTests
{
    private static readonly WordTokenizer Tokenizer = new();

    [Fact]
    public void Words_and_single_punctuation_marks()
    {
        Assert.Equal(
            ["Hello", ",", "world", "!", "It", "'", "s", "3", ".", "5", "km_h", "."],
            Tokenizer.Tokenize("Hello, world!  It's 3.5 km_h."));
    }

    [Fact]
    public void Each_punctuation_character_is_its_own_token() =>
        Assert.Equal(["wait", ".", ".", ".", "(", "no", ")", "?", "!"], Tokenizer.Tokenize("wait... (no)?!"));

    [Fact]
    public void Whitespace_of_any_kind_only_separates() =>
        Assert.Equal(["a", "b", "c", "d"], Tokenizer.Tokenize("  a\tb\r\nc\u00A0\u2003d \n"));

    [Fact]
    public void Letters_digits_and_marks_of_any_script_make_words() =>
        Assert.Equal(["naïve", "cafe\u0301", "東京", "x²", "Ⅻ"], Tokenizer.Tokenize("naïve cafe\u0301 東京 x² Ⅻ"));

    [Fact]
    public void Symbols_and_emoji_are_tokens_of_their_own() =>
        Assert.Equal(["1", "+", "2", "€", "👍", "ok"], Tokenizer.Tokenize("1+2€👍ok"));

    [Fact]
    public void A_lone_surrogate_is_kept_as_its_own_token() =>
        Assert.Equal(["ab", "\uD800", "cd"], Tokenizer.Tokenize("ab\uD800cd"));

    [Fact]
    public void Lowercasing_is_optional()
    {
        Assert.Equal(["The", "CAT"], Tokenizer.Tokenize("The CAT"));
        Assert.Equal(["the", "cat", "ünd"], new WordTokenizer(lowercase: true).Tokenize("The CAT Ünd"));
    }

    [Fact]
    public void Detokenize_joins_with_single_spaces() =>
        Assert.Equal("Hello , world !", Tokenizer.Detokenize(["Hello", ",", "world", "!"]));

    [Theory]
    [InlineData("Hello, world!", "Hello , world !")]
    [InlineData("  two\t\tspaces \n here  ", "two spaces here")]
    [InlineData("already spaced , text .", "already spaced , text .")]
    [InlineData("", "")]
    public void Round_trip_is_exact_up_to_whitespace_normalization(string text, string normalized)
    {
        var tokens = Tokenizer.Tokenize(text);
        Assert.Equal(normalized, Tokenizer.Detokenize(tokens));
        Assert.Equal(tokens, Tokenizer.Tokenize(Tokenizer.Detokenize(tokens)));
    }
}
