using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class TextStreamReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Characters_of_the_whole_file_newlines_included()
    {
        string path = _directory.Write("corpus.txt", "ab\r\nc\n\nd");
        Assert.Equal(["a", "b", "\r\n", "c", "\n", "\n", "d"], TextStreamReader.ReadTokens(path, new CharTokenizer()));
    }

    [Fact]
    public void Words_with_eos_at_every_line_end()
    {
        string path = _directory.Write("corpus.txt", "the cat\nthe dog .\n");
        Assert.Equal(
            ["the", "cat", "<eos>", "the", "dog", ".", "<eos>"],
            TextStreamReader.ReadTokens(path, new WordTokenizer(), eosAtLineEnds: true));
    }

    [Fact]
    public void Ids_map_unknown_tokens_to_unk_and_eos_to_its_special_id()
    {
        string path = _directory.Write("corpus.txt", "the cat\nthe dog\n");
        var vocabulary = Vocabulary.Build(["the", "the", "cat"]);
        Assert.Equal([4, 5, 3, 4, 1, 3], TextStreamReader.ReadIds(path, new WordTokenizer(), vocabulary, eosAtLineEnds: true));
    }

    [Theory]
    [InlineData("plain text\nwith lines\r\nand a cr\r in the middle\n\n👍🏽 e\u0301\n")]
    [InlineData("no final newline")]
    public void Line_by_line_tokens_equal_the_tokens_of_the_whole_text(string text)
    {
        string path = _directory.Write("corpus.txt", text);
        foreach (ITokenizer tokenizer in new ITokenizer[] { new CharTokenizer(), new CharTokenizer(normalizeNewlines: true), new WordTokenizer() })
            Assert.Equal(tokenizer.Tokenize(text), TextStreamReader.ReadTokens(path, tokenizer));
    }

    [Fact]
    public void A_missing_file()
    {
        string path = _directory.File("absent.txt");
        Assert.Equal($"{path}: file not found", DataAssert.Fails(() => TextStreamReader.ReadTokens(path, new CharTokenizer())));
    }
}
