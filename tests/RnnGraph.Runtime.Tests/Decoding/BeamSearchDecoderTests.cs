using RnnGraph.Runtime.Decoding;

namespace RnnGraph.Runtime.Tests.Decoding;

/// <summary>Beam search against exhaustive search, greedy decoding and scores recomputed from the toy model's table;
/// batching over sources against decoding one source at a time.</summary>
public sealed class BeamSearchDecoderTests
{
    private const int Start = DecodingReference.Start;
    private const int End = DecodingReference.End;

    public static TheoryData<string> Penalties => new() { "none", "average", "gnmt0.6", "gnmt1.5" };

    private static LengthPenalty Penalty(string name) => name switch
    {
        "none" => LengthPenalty.None,
        "average" => LengthPenalty.Average,
        "gnmt0.6" => LengthPenalty.Gnmt(0.6),
        _ => LengthPenalty.Gnmt(1.5),
    };

    [Theory]
    [MemberData(nameof(Penalties))]
    public void WideBeamEqualsExhaustiveSearch(string penaltyName)
    {
        // V = 4 (start, <eos>, two more): 3 tokens can follow each prefix; outputs up to 6 tokens. A width of
        // 4^6 keeps every extension, so beam search must find the true n-best, early stopping included.
        const int vocabulary = 4, maxLength = 6, sources = 3, nBest = 12;
        var penalty = Penalty(penaltyName);
        foreach (var (seed, endBias, impossible) in new[] { (1, 0.0, 0.0), (2, 1.5, 0.0), (3, 0.0, 0.2), (4, -1.0, 0.0) })
        {
            var model = new MarkovToyModel(vocabulary, seed, End, endBias, impossible);
            var beam = BeamSearchDecoder.Decode(model, sources, new DecodingOptions(Start, End, maxLength), new BeamSearchOptions(4096, nBest, penalty));
            for (int s = 0; s < sources; s++)
            {
                var expected = DecodingReference.Exhaustive(model, s, maxLength, penalty).Take(nBest).ToList();
                Assert.Equal(expected.Count, beam[s].Count);
                for (int i = 0; i < expected.Count; i++)
                {
                    Assert.Equal(expected[i].Tokens, beam[s][i].Tokens);
                    Assert.Equal(expected[i].Ended, beam[s][i].EndedWithEos);
                    Assert.Equal(expected[i].LogProbability, beam[s][i].LogProbability, 9);
                    Assert.Equal(expected[i].Score, beam[s][i].Score, 9);
                }
            }
        }
    }

    [Fact]
    public void EarlyStoppingEndsBeforeTheMaximumLengthAndStillFindsTheBest()
    {
        // <eos> is likely, so the finished hypotheses soon beat everything still live (no length penalty).
        const int vocabulary = 4, maxLength = 6, nBest = 3;
        var model = new MarkovToyModel(vocabulary, 11, End, endBias: 2.5);
        var beam = BeamSearchDecoder.Decode(model, 2, new DecodingOptions(Start, End, maxLength), new BeamSearchOptions(4096, nBest, LengthPenalty.None));
        Assert.True(model.RowsPerStep.Count < maxLength, $"{model.RowsPerStep.Count} steps");
        for (int s = 0; s < 2; s++)
        {
            var expected = DecodingReference.Exhaustive(model, s, maxLength, LengthPenalty.None).Take(nBest).ToList();
            Assert.Equal(expected.Select(h => h.Tokens), beam[s].Select(h => h.Tokens.ToArray()));
        }
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 1.0)]
    [InlineData(3, -1.5)]
    [InlineData(4, 0.5)]
    public void WidthOneEqualsGreedy(int seed, double endBias)
    {
        const int vocabulary = 7, maxLength = 9, sources = 5;
        var options = new DecodingOptions(Start, End, maxLength);
        var greedy = GreedyDecoder.Decode(new MarkovToyModel(vocabulary, seed, End, endBias, 0.1), sources, options);
        var beam = BeamSearchDecoder.Decode(new MarkovToyModel(vocabulary, seed, End, endBias, 0.1), sources, options, new BeamSearchOptions(1, 1, LengthPenalty.None));
        for (int s = 0; s < sources; s++)
        {
            var only = Assert.Single(beam[s]);
            Assert.Equal(greedy[s].Tokens, only.Tokens);
            Assert.Equal(greedy[s].EndedWithEos, only.EndedWithEos);
            Assert.Equal(greedy[s].LogProbability, only.LogProbability, 12);
        }

        // With a length penalty, width 1 follows greedy's path too but may keep going past its <eos>: its best is
        // then at least as good as greedy's output under that penalty.
        foreach (var penalty in new[] { LengthPenalty.Average, LengthPenalty.Gnmt(1.0) })
        {
            var penalized = BeamSearchDecoder.Decode(new MarkovToyModel(vocabulary, seed, End, endBias, 0.1), sources, options, new BeamSearchOptions(1, 1, penalty));
            for (int s = 0; s < sources; s++)
            {
                double greedyScore = greedy[s].LogProbability / DecodingReference.Divisor(penalty, greedy[s].Length);
                Assert.True(penalized[s][0].Score >= greedyScore - 1e-12, $"source {s}: {penalized[s][0].Score} < greedy {greedyScore}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Penalties))]
    public void NBestAreSortedDistinctAndScoredBySumsOfStepLogProbabilities(string penaltyName)
    {
        const int vocabulary = 9, maxLength = 10, sources = 4;
        var penalty = Penalty(penaltyName);
        var model = new MarkovToyModel(vocabulary, 21, End, 0.3, 0.15);
        var results = BeamSearchDecoder.Decode(model, sources, new DecodingOptions(Start, End, maxLength), new BeamSearchOptions(4, 4, penalty));
        for (int s = 0; s < sources; s++)
        {
            var list = results[s];
            Assert.Equal(4, list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                var h = list[i];
                Assert.DoesNotContain(End, h.Tokens);
                Assert.InRange(h.Length, 1, maxLength);
                Assert.True(h.EndedWithEos || h.Tokens.Count == maxLength);
                double logProbability = DecodingReference.LogProbability(model, s, h.Tokens, h.EndedWithEos);
                Assert.Equal(logProbability, h.LogProbability, 9);
                Assert.Equal(logProbability / DecodingReference.Divisor(penalty, h.Length), h.Score, 9);
                if (i > 0)
                    Assert.True(list[i - 1].Score >= h.Score);
            }
            Assert.Equal(list.Count, list.Select(h => string.Join(' ', h.Tokens) + h.EndedWithEos).Distinct().Count());
        }
    }

    [Theory]
    [MemberData(nameof(Penalties))]
    public void BatchingSourcesEqualsDecodingEachAlone(string penaltyName)
    {
        const int vocabulary = 8, maxLength = 11, sources = 6, width = 5;
        var penalty = Penalty(penaltyName);
        var options = new DecodingOptions(Start, End, maxLength);
        var beamOptions = new BeamSearchOptions(width, 3, penalty);
        var batchedModel = new MarkovToyModel(vocabulary, 5, End, 0.2, 0.1);
        var batched = BeamSearchDecoder.Decode(batchedModel, sources, options, beamOptions);
        var greedyModel = new MarkovToyModel(vocabulary, 5, End, 0.2, 0.1);
        var greedyBatched = GreedyDecoder.Decode(greedyModel, sources, options);

        // One model call per output position for all live hypotheses of all sources.
        Assert.InRange(batchedModel.RowsPerStep.Count, 1, maxLength);
        Assert.All(batchedModel.RowsPerStep, rows => Assert.InRange(rows, 1, sources * width));
        Assert.Equal(sources, batchedModel.RowsPerStep[0]);
        Assert.InRange(greedyModel.RowsPerStep.Count, 1, maxLength);

        for (int s = 0; s < sources; s++)
        {
            var alone = BeamSearchDecoder.Decode(new MarkovToyModel(vocabulary, 5, End, 0.2, 0.1, sourceOffset: s), 1, options, beamOptions)[0];
            Assert.Equal(alone.Count, batched[s].Count);
            for (int i = 0; i < alone.Count; i++)
                Assert.Equal(Describe(alone[i]), Describe(batched[s][i]));
            var greedyAlone = GreedyDecoder.Decode(new MarkovToyModel(vocabulary, 5, End, 0.2, 0.1, sourceOffset: s), 1, options)[0];
            Assert.Equal(Describe(greedyAlone), Describe(greedyBatched[s]));
        }
    }

    private static string Describe(Hypothesis h) => $"{string.Join(' ', h.Tokens)} eos={h.EndedWithEos} logp={h.LogProbability:R} score={h.Score:R}";
}
