namespace RnnGraph.Runtime.Data;

/// <summary>Turns text into tokens and back; the tokens are then mapped to ids by a <see cref="Vocabulary"/>.</summary>
public interface ITokenizer
{
    IReadOnlyList<string> Tokenize(string text);

    string Detokenize(IEnumerable<string> tokens);
}
