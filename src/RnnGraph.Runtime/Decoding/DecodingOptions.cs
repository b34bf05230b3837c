namespace RnnGraph.Runtime.Decoding;

/// <summary>What every decoding algorithm needs: the token fed first, the token that ends an output, and the
/// maximum number of output tokens (&lt;eos&gt; included) per source.</summary>
public sealed record DecodingOptions(int StartToken, int EndToken, int MaxLength)
{
    internal void Validate(int vocabularySize)
    {
        if (vocabularySize < 2)
            throw new ArgumentException($"the decoder's vocabulary size is {vocabularySize}; decoding needs at least 2 tokens");
        if (StartToken < 0 || StartToken >= vocabularySize)
            throw new ArgumentOutOfRangeException(nameof(StartToken), StartToken, $"the start token must be in 0..{vocabularySize - 1} (the decoder's vocabulary)");
        if (EndToken < 0 || EndToken >= vocabularySize)
            throw new ArgumentOutOfRangeException(nameof(EndToken), EndToken, $"the end token must be in 0..{vocabularySize - 1} (the decoder's vocabulary)");
        if (MaxLength < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "the maximum output length must be at least 1");
    }
}

/// <summary>Beam search settings: <paramref name="Width"/> live hypotheses per source, the
/// <paramref name="NBest"/> best finished ones returned (1..Width), and the length penalty that ranks them.</summary>
public sealed record BeamSearchOptions(int Width, int NBest, LengthPenalty Penalty)
{
    internal void Validate()
    {
        if (Width < 1)
            throw new ArgumentOutOfRangeException(nameof(Width), Width, "the beam width must be at least 1");
        if (NBest < 1 || NBest > Width)
            throw new ArgumentOutOfRangeException(nameof(NBest), NBest, $"the number of hypotheses returned must be in 1..{Width} (the beam width)");
    }
}
