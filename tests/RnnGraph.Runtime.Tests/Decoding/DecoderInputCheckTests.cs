using RnnGraph.Runtime.Decoding;

namespace RnnGraph.Runtime.Tests.Decoding;

/// <summary>Bad options and broken models fail with messages that name the problem.</summary>
public sealed class DecoderInputCheckTests
{
    private sealed class ConstantModel(float value) : IDecoderStep
    {
        public int VocabularySize => 3;

        public void Start(ReadOnlySpan<int> sources) { }

        public void Step(ReadOnlySpan<int> tokens, Span<float> logProbabilities)
        {
            logProbabilities.Fill(-1f);
            logProbabilities[^1] = value;
        }

        public void Reorder(ReadOnlySpan<int> parents) { }
    }

    [Theory]
    [InlineData(float.NaN, "wrote NaN for token 2 of row 1")]
    [InlineData(0.5f, "wrote 0.5 for token 2 of row 1")]
    public void BrokenLogProbabilitiesNameTheRowAndToken(float value, string message)
    {
        var options = new DecodingOptions(0, 1, 4);
        var greedy = Assert.Throws<InvalidOperationException>(() => GreedyDecoder.Decode(new ConstantModel(value), 2, options));
        Assert.Contains(message, greedy.Message);
        var beam = Assert.Throws<InvalidOperationException>(() => BeamSearchDecoder.Decode(new ConstantModel(value), 2, options, new BeamSearchOptions(2, 1, LengthPenalty.None)));
        Assert.Contains(message, beam.Message);
    }

    [Fact]
    public void OptionsOutOfRangeAreRefused()
    {
        var model = new ConstantModel(-1f);
        Assert.Contains("start token must be in 0..2", Assert.Throws<ArgumentOutOfRangeException>(() => GreedyDecoder.Decode(model, 1, new DecodingOptions(3, 1, 4))).Message);
        Assert.Contains("end token must be in 0..2", Assert.Throws<ArgumentOutOfRangeException>(() => GreedyDecoder.Decode(model, 1, new DecodingOptions(0, -1, 4))).Message);
        Assert.Contains("maximum output length", Assert.Throws<ArgumentOutOfRangeException>(() => GreedyDecoder.Decode(model, 1, new DecodingOptions(0, 1, 0))).Message);
        var options = new DecodingOptions(0, 1, 4);
        Assert.Contains("beam width must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => BeamSearchDecoder.Decode(model, 1, options, new BeamSearchOptions(0, 1, LengthPenalty.None))).Message);
        Assert.Contains("in 1..2 (the beam width)", Assert.Throws<ArgumentOutOfRangeException>(() => BeamSearchDecoder.Decode(model, 1, options, new BeamSearchOptions(2, 3, LengthPenalty.None))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthPenalty.Gnmt(-0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthPenalty.Gnmt(double.NaN));
    }

    [Fact]
    public void NoSourcesGiveNoResults()
    {
        var options = new DecodingOptions(0, 1, 4);
        Assert.Empty(GreedyDecoder.Decode(new ConstantModel(-1f), 0, options));
        Assert.Empty(BeamSearchDecoder.Decode(new ConstantModel(-1f), 0, options, new BeamSearchOptions(3, 2, LengthPenalty.Average)));
    }
}
