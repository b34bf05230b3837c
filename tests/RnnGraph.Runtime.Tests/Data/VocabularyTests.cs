using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class VocabularyTests
{
    private static readonly string[] Corpus = "the cat sat on the mat the end".Split(' ');

    [Fact]
    public void Specials_come_first_then_tokens_by_descending_count_then_ordinal()
    {
        var vocabulary = Vocabulary.Build(Corpus);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "the", "cat", "end", "mat", "on", "sat"], vocabulary.Tokens);
        Assert.Equal(10, vocabulary.Count);
    }

    [Fact]
    public void Special_ids_are_fixed()
    {
        var vocabulary = Vocabulary.Build([]);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>"], vocabulary.Tokens);
        Assert.Equal(0, vocabulary.IdOf(SpecialTokens.Pad));
        Assert.Equal(1, vocabulary.IdOf(SpecialTokens.Unk));
        Assert.Equal(2, vocabulary.IdOf(SpecialTokens.Bos));
        Assert.Equal(3, vocabulary.IdOf(SpecialTokens.Eos));
    }

    [Fact]
    public void Min_frequency_drops_rare_tokens()
    {
        var vocabulary = Vocabulary.Build(Corpus, minFrequency: 2);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "the"], vocabulary.Tokens);
    }

    [Fact]
    public void Max_size_counts_the_specials_and_keeps_the_most_frequent()
    {
        var vocabulary = Vocabulary.Build(Corpus, maxSize: 6);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "the", "cat"], vocabulary.Tokens);
    }

    [Fact]
    public void Ties_break_by_ordinal_order_so_uppercase_sorts_first()
    {
        var vocabulary = Vocabulary.Build(["b", "a", "B", "é", "b"]);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "b", "B", "a", "é"], vocabulary.Tokens);
    }

    [Fact]
    public void Order_of_the_counts_does_not_matter()
    {
        var forward = Vocabulary.FromCounts(new Dictionary<string, long> { ["x"] = 2, ["y"] = 2, ["z"] = 5 });
        var backward = Vocabulary.FromCounts(new Dictionary<string, long> { ["z"] = 5, ["y"] = 2, ["x"] = 2 });
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "z", "x", "y"], forward.Tokens);
        Assert.Equal(forward.Tokens, backward.Tokens);
    }

    [Fact]
    public void A_special_token_in_the_corpus_maps_to_the_special_instead_of_a_second_id()
    {
        var vocabulary = Vocabulary.Build(["a", "<unk>", "<unk>", "<eos>"]);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "a"], vocabulary.Tokens);
        Assert.Equal([4, 1, 3], vocabulary.Encode(["a", "<unk>", "<eos>"]));
    }

    [Fact]
    public void Encode_maps_unknown_tokens_to_unk_and_decode_inverts()
    {
        var vocabulary = Vocabulary.Build(Corpus);
        int[] ids = vocabulary.Encode(["the", "dog", "sat"]);
        Assert.Equal([4, 1, 9], ids);
        Assert.Equal(["the", "<unk>", "sat"], vocabulary.Decode(ids));
        Assert.False(vocabulary.Contains("dog"));
        Assert.True(vocabulary.Contains("cat"));
    }

    [Fact]
    public void Decode_can_skip_padding()
    {
        var vocabulary = Vocabulary.Build(Corpus);
        Assert.Equal(["<bos>", "cat", "<eos>"], vocabulary.Decode([2, 5, 3, 0, 0], skipPadding: true));
        Assert.Equal(["cat", "<pad>"], vocabulary.Decode([5, 0]));
    }

    [Fact]
    public void Decode_rejects_ids_outside_the_vocabulary()
    {
        var vocabulary = Vocabulary.Build(Corpus);
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.TokenOf(-1));
    }

    [Fact]
    public void Bad_limits_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus, minFrequency: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus, maxSize: 3));
        Assert.Equal(4, Vocabulary.Build(Corpus, maxSize: 4).Count);
    }
}
