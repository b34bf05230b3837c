using RnnGraph.Runtime.Data;

namespace RnnGraph.Runtime.Tests.Data;

public sealed class VocabularyFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private const string Specials = "\"<pad>\": 0, \"<unk>\": 1, \"<bos>\": 2, \"<eos>\": 3";

    private string Fails(string json)
    {
        string path = _directory.Write("vocab.json", json);
        var error = Assert.Throws<DataFileException>(() => Vocabulary.Load(path));
        Assert.Equal(path, error.Path);
        Assert.DoesNotContain('\n', error.Message);
        return error.Message.Replace(path, "vocab.json");
    }

    [Fact]
    public void Save_writes_readable_json_in_id_order()
    {
        string path = _directory.File("vocab.json");
        Vocabulary.Build(["b", "a", "b", "<x>"]).Save(path);
        Assert.Equal(
            """
            {
              "version": 1,
              "tokens": {
                "<pad>": 0,
                "<unk>": 1,
                "<bos>": 2,
                "<eos>": 3,
                "b": 4,
                "<x>": 5,
                "a": 6
              }
            }

            """.ReplaceLineEndings("\n"),
            File.ReadAllText(path));
    }

    [Fact]
    public void Load_returns_the_saved_vocabulary_including_awkward_tokens()
    {
        string path = _directory.File("vocab.json");
        var saved = Vocabulary.Build(["\n", "\r\n", "\"", "\\", "é", "👍", "\t", "a b", "\u0001"]);
        saved.Save(path);
        var loaded = Vocabulary.Load(path);
        Assert.Equal(saved.Tokens, loaded.Tokens);
        Assert.Equal(saved.IdOf("👍"), loaded.IdOf("👍"));
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        string path = _directory.Write("vocab.json", "old contents");
        Vocabulary.Build(["a"]).Save(path);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "a"], Vocabulary.Load(path).Tokens);
        Assert.Equal(["vocab.json"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Missing_file()
    {
        string path = _directory.File("absent.json");
        Assert.Equal($"{path}: file not found", Assert.Throws<DataFileException>(() => Vocabulary.Load(path)).Message);
    }

    [Fact]
    public void Invalid_json_is_located()
    {
        Assert.Equal(
            "vocab.json(3,3): invalid JSON: '}' is an invalid start of a value.",
            Fails("{\n  \"version\": \n  }"));
    }

    [Fact]
    public void Duplicate_token() =>
        Assert.Equal("vocab.json: token 'a' appears twice", Fails($$"""{"version": 1, "tokens": { {{Specials}}, "a": 4, "a": 5 } }"""));

    [Fact]
    public void Id_outside_the_range() =>
        Assert.Equal(
            "vocab.json: token 'a' has id 7, outside 0..4 (ids number the 5 tokens from 0)",
            Fails($$"""{"version": 1, "tokens": { {{Specials}}, "a": 7 } }"""));

    [Fact]
    public void Negative_id() =>
        Assert.Equal(
            "vocab.json: token 'a' has id -1, outside 0..4 (ids number the 5 tokens from 0)",
            Fails($$"""{"version": 1, "tokens": { {{Specials}}, "a": -1 } }"""));

    [Fact]
    public void Id_that_is_not_an_integer() =>
        Assert.Equal(
            "vocab.json: token 'a' has id 4.5, which is not an integer",
            Fails($$"""{"version": 1, "tokens": { {{Specials}}, "a": 4.5 } }"""));

    [Fact]
    public void Two_tokens_with_one_id() =>
        Assert.Equal(
            "vocab.json: tokens 'a' and 'b' both have id 4",
            Fails($$"""{"version": 1, "tokens": { {{Specials}}, "a": 4, "b": 4 } }"""));

    [Fact]
    public void Missing_special() =>
        Assert.Equal(
            "vocab.json: special token <eos> is missing (it must have id 3)",
            Fails("""{"version": 1, "tokens": { "<pad>": 0, "<unk>": 1, "<bos>": 2, "a": 3 } }"""));

    [Fact]
    public void Special_at_the_wrong_id() =>
        Assert.Equal(
            "vocab.json: special token <unk> must have id 1 but has id 2",
            Fails("""{"version": 1, "tokens": { "<pad>": 0, "<bos>": 1, "<unk>": 2, "<eos>": 3 } }"""));

    [Fact]
    public void Missing_version() =>
        Assert.Equal("vocab.json: missing the format version (\"version\": 1)", Fails($$"""{"tokens": { {{Specials}} } }"""));

    [Fact]
    public void Newer_version() =>
        Assert.Equal(
            "vocab.json: vocabulary format version 2 is not supported (this build reads version 1)",
            Fails($$"""{"version": 2, "tokens": { {{Specials}} } }"""));

    [Fact]
    public void Not_an_object() =>
        Assert.Equal("vocab.json: expected a JSON object with 'version' and 'tokens'", Fails("[\"<pad>\"]"));

    [Fact]
    public void Missing_tokens() =>
        Assert.Equal("vocab.json: missing the \"tokens\" object (token → id)", Fails("""{"version": 1}"""));

    [Fact]
    public void Control_characters_in_a_token_are_escaped_so_the_message_stays_one_line() =>
        Assert.Equal(
            "vocab.json: token '\\n' appears twice",
            Fails($$"""{"version": 1, "tokens": { {{Specials}}, "\n": 4, "\n": 5 } }"""));
}
