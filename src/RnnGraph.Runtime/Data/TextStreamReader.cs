namespace RnnGraph.Runtime.Data;

/// <summary>Reads a whole text file as one token stream, the input of a language model trained with truncated BPTT.</summary>
/// <remarks>
/// The file is tokenized a line at a time (terminator included) so only one line is ever held as text. For
/// <see cref="CharTokenizer"/> and <see cref="WordTokenizer"/> that gives exactly the tokens of the whole text,
/// because neither joins characters across a "\n" into one token.
/// </remarks>
public static class TextStreamReader
{
    /// <summary>
    /// The tokens of <paramref name="path"/>, lazily. With <paramref name="eosAtLineEnds"/> an <c>&lt;eos&gt;</c>
    /// follows every line, the classic word-level setup (PTB, WikiText) where newlines are otherwise lost as whitespace.
    /// </summary>
    public static IEnumerable<string> ReadTokens(string path, ITokenizer tokenizer, bool eosAtLineEnds = false)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return SourceLine.Read(path).SelectMany(line =>
        {
            var tokens = tokenizer.Tokenize(line.Text + line.Terminator);
            return eosAtLineEnds ? tokens.Append(SpecialTokens.Eos) : tokens;
        });
    }

    /// <summary>The ids of <see cref="ReadTokens"/>; tokens outside <paramref name="vocabulary"/> become <c>&lt;unk&gt;</c>.</summary>
    public static int[] ReadIds(string path, ITokenizer tokenizer, Vocabulary vocabulary, bool eosAtLineEnds = false)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var ids = new List<int>();
        foreach (string token in ReadTokens(path, tokenizer, eosAtLineEnds))
            ids.Add(vocabulary.IdOf(token));
        return [.. ids];
    }
}
