using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Decoding;
using RnnGraph.Runtime.Runs;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.EncoderDecoder;

/// <summary>
/// Beam search and greedy decoding on real encoder-decoders with random weights, checked against exhaustive enumeration: a target
/// vocabulary of 4 special tokens and 2 others, at most 4 decoder steps, so every output the model can give (the 15 that end with
/// &lt;eos&gt; and the 16 cut at the maximum length) is scored by feeding its tokens to the decoder one step at a time.
/// </summary>
public sealed class EncoderDecoderBeamTests
{
    private const int TargetVocabulary = 6, SourceVocabulary = 7, MaxLength = 4;

    /// <summary>Three models: a bidirectional GRU with additive attention, a two-layer LSTM with general (Luong) attention, a GRU without attention.</summary>
    public static TheoryData<string> Models() => new(Specs.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, string> Specs = new(StringComparer.Ordinal)
    {
        ["gru-additive"] = """
            encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 3, bidirectional: true }
              bridge: concat
              attention: { type: additive, units: 4 }
              decoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 6 }
                - dense: { units: 6 }
            """,
        ["lstm-general"] = """
            encoder:
                - embed: { dim: 3 }
                - rnn: { cell: lstm, hidden: 4, layers: 2 }
              bridge: copy
              attention: general
              decoder:
                - embed: { dim: 3 }
                - rnn: { cell: lstm, hidden: 4, layers: 2 }
                - dense: { units: 6 }
            """,
        ["gru-none"] = """
            encoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 4 }
              bridge: dense
              decoder:
                - rnn: { cell: gru, hidden: 5 }
                - dense: { units: 6 }
            """,
    };

    private static readonly int[][] Sources = [[4, 5, 6], [6], [5, 4, 4, 6, 5], [4, 6]];

    private static readonly DecodingOptions Options = new(2, 3, MaxLength);

    /// <summary>The model with weights drawn U(-1.5, 1.5), wide enough that the steps' distributions differ clearly, and &lt;eos&gt;'s bias 0.75 lower.</summary>
    private static EncoderDecoderSteps Model(string name, int seed = 7)
    {
        string yaml = $"model:\n  topology: encoder-decoder\n  inputs:\n    src: {{ vocab: {SourceVocabulary} }}\n  {Specs[name]}\n  max_output_length: {MaxLength}\n";
        var compilation = Compilation.Create(new SourceText($"{name}.yaml", yaml));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));
        Assert.Equal(TargetVocabulary, compilation.Model!.EncoderDecoder!.TargetVocab);
        var random = new Random(seed);
        var parameters = new ParameterSet(compilation.Model.Parameters.Select(p =>
        {
            var shape = p.Dims.ToArray();
            var values = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 3 - 1.5);
            // A lower <eos> score makes outputs of every length likely, not mostly the empty one.
            if (p.Name == "decoder.dense.bias") values[Options.EndToken] -= 0.75f;
            return new Parameter(p.Name, shape, values);
        }));
        return new EncoderDecoderSteps(compilation, parameters, EncoderDecoderTask.Banned.ToArray());
    }

    /// <summary>Every output of at most <see cref="MaxLength"/> steps: tokens 4 and 5 then &lt;eos&gt;, or 4 tokens cut without one.</summary>
    private static IEnumerable<(int[] Tokens, bool EndedWithEos)> AllOutputs()
    {
        IEnumerable<int[]> Words(int length) => length == 0 ? [[]] : Words(length - 1).SelectMany(w => new[] { w.Append(4).ToArray(), w.Append(5).ToArray() });
        for (int n = 0; n < MaxLength; n++)
            foreach (var w in Words(n)) yield return (w, true);
        foreach (var w in Words(MaxLength)) yield return (w, false);
    }

    /// <summary>The log-probability of an output: &lt;bos&gt; then its tokens fed one step at a time, the step log-probabilities summed
    /// (the &lt;eos&gt;'s included when it ends with one), in double.</summary>
    private static double Score(EncoderDecoderSteps model, int[] source, int[] tokens, bool endedWithEos)
    {
        model.Encode([source], 1);
        model.Start([0]);
        var row = new float[TargetVocabulary];
        var fed = endedWithEos ? tokens.Append(Options.EndToken).ToArray() : tokens;
        double sum = 0;
        int previous = Options.StartToken;
        foreach (int token in fed)
        {
            model.Step([previous], row);
            foreach (int banned in EncoderDecoderTask.Banned) Assert.Equal(float.NegativeInfinity, row[banned]);
            Assert.Equal(1.0, row.Sum(v => Math.Exp(v)), 5);
            sum += row[token];
            previous = token;
        }
        return sum;
    }

    private static List<Hypothesis> Exhaustive(EncoderDecoderSteps model, int[] source, LengthPenalty penalty) =>
        AllOutputs().Select(o =>
        {
            double logProbability = Score(model, source, o.Tokens, o.EndedWithEos);
            return new Hypothesis(o.Tokens, o.EndedWithEos, logProbability, penalty.Score(logProbability, o.Tokens.Length + (o.EndedWithEos ? 1 : 0)));
        }).OrderByDescending(h => h.Score).ToList();

    private static void Same(Hypothesis expected, Hypothesis got, string what)
    {
        Assert.True(expected.Tokens.SequenceEqual(got.Tokens), $"{what}: expected [{string.Join(' ', expected.Tokens)}] but got [{string.Join(' ', got.Tokens)}]");
        Assert.Equal(expected.EndedWithEos, got.EndedWithEos);
        Assert.True(Math.Abs(expected.LogProbability - got.LogProbability) <= 1e-5, $"{what}: log-probability {got.LogProbability} but {expected.LogProbability}");
        Assert.True(Math.Abs(expected.Score - got.Score) <= 1e-5, $"{what}: score {got.Score} but {expected.Score}");
    }

    public static TheoryData<string, string> ModelsAndPenalties()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in Specs.Keys.Order(StringComparer.Ordinal))
            foreach (string penalty in new[] { "none", "average", "gnmt" }) data.Add(model, penalty);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsAndPenalties))]
    public void A_beam_wide_enough_to_keep_every_hypothesis_finds_the_best_outputs_of_exhaustive_search(string name, string penaltyName)
    {
        var penalty = penaltyName switch { "average" => LengthPenalty.Average, "gnmt" => LengthPenalty.Gnmt(0.8), _ => LengthPenalty.None };
        var model = Model(name);
        // At most 2^3 live hypotheses, 3 continuations each: a width of 24 drops nothing.
        var beam = new BeamSearchOptions(Width: 24, NBest: 5, penalty);
        var random = new Random(11);
        var sources = Sources.Concat(Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(SourceVocabulary)).ToArray()));
        foreach (var source in sources)
        {
            var expected = Exhaustive(model, source, penalty);
            model.Encode([source], beam.Width);
            var got = BeamSearchDecoder.Decode(model, 1, Options, beam)[0];
            Assert.Equal(5, got.Count);
            for (int i = 0; i < got.Count; i++) Same(expected[i], got[i], $"source [{string.Join(' ', source)}], {i + 1}. best");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Width_one_is_greedy_and_greedy_takes_the_most_probable_token_at_every_step(string name)
    {
        var model = Model(name);
        foreach (var source in Sources)
        {
            // The reference: the argmax of every step's distribution, fed back, until <eos> or the maximum length.
            var tokens = new List<int>();
            bool ended = false;
            var row = new float[TargetVocabulary];
            for (int step = 0; step < MaxLength && !ended; step++)
            {
                model.Encode([source], 1);
                model.Start([0]);
                int previous = Options.StartToken;
                foreach (int token in tokens)
                {
                    model.Step([previous], row);
                    previous = token;
                }
                model.Step([previous], row);
                int best = Array.IndexOf(row, row.Max());
                if (best == Options.EndToken) ended = true;
                else tokens.Add(best);
            }
            double logProbability = Score(model, source, tokens.ToArray(), ended);
            var expected = new Hypothesis(tokens, ended, logProbability, logProbability);

            model.Encode([source], 1);
            Same(expected, GreedyDecoder.Decode(model, 1, Options)[0], $"greedy, source [{string.Join(' ', source)}]");
            model.Encode([source], 1);
            Same(expected, Assert.Single(BeamSearchDecoder.Decode(model, 1, Options, new BeamSearchOptions(1, 1, LengthPenalty.None))[0]),
                 $"beam 1, source [{string.Join(' ', source)}]");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Decoding_a_batch_of_sources_of_different_lengths_gives_what_each_gives_alone(string name)
    {
        var model = Model(name);
        foreach (var beam in new BeamSearchOptions?[] { null, new(3, 1, LengthPenalty.None), new(4, 1, LengthPenalty.Average) })
        {
            var alone = Sources.Select(s => EncoderDecoderDecoding.Decode(model, [s], Options, beam)[0]).ToList();
            var together = EncoderDecoderDecoding.Decode(model, Sources, Options, beam, batchSize: Sources.Length);
            var pairs = EncoderDecoderDecoding.Decode(model, Sources, Options, beam, batchSize: 2);
            for (int i = 0; i < Sources.Length; i++)
            {
                string what = $"{(beam is null ? "greedy" : $"beam {beam.Width}")}, source {i}";
                Same(alone[i], together[i], what + " in one batch");
                Same(alone[i], pairs[i], what + " in batches of 2");
            }
        }

        // The n-best lists too: a batched beam search keeps each source's hypotheses apart.
        var wide = new BeamSearchOptions(5, 3, LengthPenalty.Gnmt(0.6));
        model.Encode(Sources, wide.Width);
        var batched = BeamSearchDecoder.Decode(model, Sources.Length, Options, wide);
        for (int i = 0; i < Sources.Length; i++)
        {
            model.Encode([Sources[i]], wide.Width);
            var single = BeamSearchDecoder.Decode(model, 1, Options, wide)[0];
            Assert.Equal(single.Count, batched[i].Count);
            for (int k = 0; k < single.Count; k++) Same(single[k], batched[i][k], $"source {i}, {k + 1}. of the n-best");
        }
    }

    [Theory]
    [InlineData("gru-additive")]
    [InlineData("lstm-general")]
    public void Attention_rows_sum_to_one_over_the_source_and_are_zero_past_it(string name)
    {
        var model = Model(name);
        int[] output = [4, 5, 5, Options.EndToken];
        foreach (var source in Sources)
        {
            var weights = EncoderDecoderDecoding.Attention(model, source, output, Options);
            Assert.Equal(output.Length, weights.GetLength(0));
            Assert.Equal(source.Length, weights.GetLength(1));
            for (int t = 0; t < output.Length; t++)
            {
                double sum = 0;
                for (int j = 0; j < source.Length; j++)
                {
                    Assert.InRange(weights[t, j], 0f, 1f);
                    sum += weights[t, j];
                }
                Assert.Equal(1.0, sum, 5);
            }
        }

        // In a batch the rows span the longest source: a shorter source's row is zero past its end and has the weights it has alone.
        model.Encode(Sources, 1);
        model.Start(Enumerable.Range(0, Sources.Length).ToArray());
        int steps = Sources.Max(s => s.Length);
        Assert.Equal(steps, model.SourceSteps);
        var rows = new float[Sources.Length * TargetVocabulary];
        var batchedRows = new List<float[]>();
        for (int t = 0; t < output.Length; t++)
        {
            int token = t == 0 ? Options.StartToken : output[t - 1];
            model.Step(Enumerable.Repeat(token, Sources.Length).ToArray(), rows);
            batchedRows.Add(model.LastAttention!);
        }
        for (int i = 0; i < Sources.Length; i++)
        {
            var alone = EncoderDecoderDecoding.Attention(model, Sources[i], output, Options);
            for (int t = 0; t < output.Length; t++)
                for (int j = 0; j < steps; j++)
                {
                    float got = batchedRows[t][i * steps + j];
                    if (j >= Sources[i].Length) Assert.Equal(0f, got);
                    else Assert.True(Math.Abs(alone[t, j] - got) <= 1e-5, $"source {i}, step {t}, position {j}: {got} in the batch but {alone[t, j]} alone");
                }
        }
    }
}
