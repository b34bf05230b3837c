using RnnGraph.Compiler;
using RnnGraph.Compiler.Binding;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;
using Xunit.Abstractions;

namespace RnnGraph.Runtime.Tests.EncoderDecoder;

/// <summary>
/// Encoder-decoders against float64 central differences (source ids of uneven lengths, so the packed encoder and the masked
/// attention run): every bridge and every attention, GRU and LSTM, stacked decoders, one-hot decoder inputs, several head layers,
/// float source features. Then what the masks promise (a padded source decodes like the same source cut) and eval's errors.
/// </summary>
public sealed class EncoderDecoderGradientCheckTests(ITestOutputHelper output)
{
    private const int SourceVocab = 7, TargetVocab = 6;

    private static Compilation Spec(string encoder, string bridge, string attention, string decoder, string? input = null)
    {
        var c = Compilation.Create(new SourceText("seq2seq.yaml", $"""
            model:
              topology: encoder-decoder
              inputs:
                {input ?? $"src: {{ vocab: {SourceVocab} }}"}
              encoder:
            {Indent(encoder)}
              bridge: {bridge}
              attention: {attention}
              decoder:
            {Indent(decoder)}
              max_output_length: 8
            """));
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        return c;
    }

    private static string Indent(string layers) => string.Join("\n", layers.Split(';').Select(l => "    - " + l.Trim()));

    /// <summary>name → (encoder layers, bridge, attention, decoder layers, source input, decoder steps); layers separated by ';'.</summary>
    private static readonly Dictionary<string, (string Encoder, string Bridge, string Attention, string Decoder, string? Input, int TargetSteps)> Configurations = new()
    {
        ["gru, copy, no attention"] = ("embed: { dim: 3 }; rnn: { cell: gru, hidden: 4 }", "copy", "none",
            "embed: { dim: 3 }; rnn: { cell: gru, hidden: 4 }; dense: { units: 6 }", null, 3),
        ["bidirectional lstm, sum, additive"] = ("embed: { dim: 3 }; rnn: { cell: lstm, hidden: 3, bidirectional: true }", "sum", "{ type: additive, units: 5 }",
            "embed: { dim: 3 }; rnn: { cell: lstm, hidden: 3 }; dense: { units: 6 }", null, 5),
        ["bidirectional gru, concat, dot, one-hot decoder"] = ("embed: { dim: 3 }; rnn: { cell: gru, hidden: 3, bidirectional: true }", "concat", "dot",
            "rnn: { cell: gru, hidden: 6 }; dense: { units: 6 }", null, 4),
        ["2-layer lstm, dense bridge, general, two head layers"] = ("embed: { dim: 3 }; rnn: { cell: lstm, hidden: 4, layers: 2 }", "dense", "general",
            "embed: { dim: 3 }; rnn: { cell: lstm, hidden: 5, layers: 2 }; dense: { units: 4 }; dense: { units: 6 }", null, 3),
        ["2-layer bidirectional gru, no bridge, additive, 2-layer one-hot decoder"] = ("embed: { dim: 2 }; rnn: { cell: gru, hidden: 3, layers: 2, bidirectional: true }", "none", "additive",
            "rnn: { cell: gru, hidden: 4, layers: 2 }; dense: { units: 6 }", null, 4),
        ["batch-first lstm after a dense layer, copy, dot"] = ("embed: { dim: 3 }; dense: { units: 4 }; rnn: { cell: lstm, hidden: 4, batch_first: true }", "copy", "dot",
            "embed: { dim: 3 }; rnn: { cell: lstm, hidden: 4, batch_first: true }; dense: { units: 6 }", null, 3),
        ["float source, bidirectional gru, dense bridge, general"] = ("rnn: { cell: gru, hidden: 4, bidirectional: true }", "dense", "general",
            "embed: { dim: 3 }; rnn: { cell: gru, hidden: 5 }; dense: { units: 6 }", "x: { size: 3 }", 4),
        ["bidirectional lstm, sum, no attention, head without bias"] = ("embed: { dim: 3 }; rnn: { cell: lstm, hidden: 3, bidirectional: true }", "sum", "none",
            "embed: { dim: 2 }; rnn: { cell: lstm, hidden: 3 }; dense: { units: 5, bias: false }; dense: { units: 6 }", null, 4),
    };

    public static TheoryData<string> Names() => new(Configurations.Keys);

    private static Compilation Build(string name)
    {
        var (encoder, bridge, attention, decoder, input, _) = Configurations[name];
        return Spec(encoder, bridge, attention, decoder, input);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_graph_matches_central_differences(string name)
    {
        var c = Build(name);
        c.VerifyEachPass = true;
        var report = GradientChecker.Run(c, new GradientCheckOptions(Steps: 4, Batch: 3, MaxElementsPerTensor: 12) { TargetSteps = Configurations[name].TargetSteps });

        // Every parameter, and the source features when they are floats; token ids and lengths get no differences.
        var expected = c.Model!.Parameters.Select(p => "grad." + p.Name).ToList();
        if (!c.Model.Input.IsTokens) expected.Add("grad." + c.Model.Input.Name);
        Assert.Equal(expected.Order(StringComparer.Ordinal), report.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.All(report.Entries, e => Assert.True(e.Checked > 0));
        Assert.Equal(0, report.ArgmaxFlips);
        var worst = report.Entries.MaxBy(e => e.WorstRelativeError)!;
        output.WriteLine($"{name}: worst relative error {worst.WorstRelativeError:e2} ({worst.Name})");
        Assert.True(report.Passed, string.Join("; ", report.Entries.Where(e => e.WorstRelativeError > report.Tolerance).Select(e => $"{e.Name} {e.WorstRelativeError:e2}")));
    }

    [Fact]
    public void The_table_covers_every_bridge_and_attention()
    {
        var models = Configurations.Keys.Select(n => Build(n).Model!.EncoderDecoder!).ToList();
        Assert.All(ModelBinder.Bridges, bridge => Assert.Contains(models, m => m.Bridge == bridge));
        Assert.All(ModelBinder.Attentions, attention => Assert.Contains(models, m => m.Attention == attention));
        Assert.Contains(models, m => m.DecoderEmbed is null);
        Assert.Contains(models, m => m.DecoderRnn.NumLayers == 2);
        Assert.Contains(models, m => m.Head.Count == 2);
        Assert.Contains(models, m => m.DecoderRnn.States.Count == 2);
        Assert.Contains(models, m => m.DecoderRnn.States.Count == 1);
    }

    private static Dictionary<string, HostArray<double>> Weights(Compilation c, int seed = 5)
    {
        var random = new Random(seed);
        return c.Model!.Parameters.ToDictionary(p => p.Name, p =>
            new HostArray<double>(p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => random.NextDouble() * 1.2 - 0.6).ToArray()));
    }

    [Theory]
    [InlineData("bidirectional lstm, sum, additive")]
    [InlineData("bidirectional gru, concat, dot, one-hot decoder")]
    [InlineData("2-layer lstm, dense bridge, general, two head layers")]
    [InlineData("2-layer bidirectional gru, no bridge, additive, 2-layer one-hot decoder")]
    public void A_padded_source_decodes_like_the_same_source_cut_to_its_length(string name)
    {
        var c = Build(name);
        var weights = Weights(c);
        // Source [S=5, B=2]: example 1 has length 2, its padding holds tokens that would change everything if read.
        double[] source = [1, 3, 4, 6, 2, 5, 5, 5, 0, 1];
        double[] decoderInput = [0, 0, 2, 4, 5, 1];                               // [T=3, B=2]
        var padded = ModelEvaluator<double>.Evaluate(c, weights, new Dictionary<string, HostArray<double>>
        {
            ["src"] = new([5, 2], source),
            ["lengths"] = new([2], [5, 2]),
            ["decoder_input"] = new([3, 2], decoderInput),
        });
        var alone = ModelEvaluator<double>.Evaluate(c, weights, new Dictionary<string, HostArray<double>>
        {
            ["src"] = new([2, 1], [source[1], source[3]]),
            ["decoder_input"] = new([3, 1], [decoderInput[1], decoderInput[3], decoderInput[5]]),
        });

        Assert.Equal([3, 2, TargetVocab], padded["y"].Shape);
        Assert.Equal([3, 1, TargetVocab], alone["y"].Shape);
        for (int t = 0; t < 3; t++)
            for (int v = 0; v < TargetVocab; v++)
                Assert.Equal(alone["y"].Data[t * TargetVocab + v], padded["y"].Data[(t * 2 + 1) * TargetVocab + v], 12);
    }

    [Fact]
    public void Eval_checks_the_decoder_inputs()
    {
        var c = Build("gru, copy, no attention");
        var weights = Weights(c);
        Dictionary<string, HostArray<double>> Inputs(params (string Name, HostArray<double> Value)[] extra)
        {
            var inputs = new Dictionary<string, HostArray<double>>
            {
                ["src"] = new([4, 2], [1, 2, 3, 4, 5, 6, 0, 1]),
                ["decoder_input"] = new([3, 2], [0, 0, 1, 2, 3, 4]),
                ["dy"] = new([3, 2, TargetVocab], new double[3 * 2 * TargetVocab]),
            };
            foreach (var (name, value) in extra) inputs[name] = value;
            return inputs;
        }
        string Error(Dictionary<string, HostArray<double>> inputs) =>
            Assert.Throws<EvalException>(() => ModelEvaluator<double>.Evaluate(c, weights, inputs)).Message;

        var outputs = ModelEvaluator<double>.Evaluate(c, weights, Inputs());
        Assert.Equal([3, 2, TargetVocab], outputs["y"].Shape);
        Assert.Contains("grad.decoder.embed.weight", outputs.Keys);
        Assert.DoesNotContain(outputs.Keys, k => k.Contains("h_n", StringComparison.Ordinal));

        var missing = Inputs();
        missing.Remove("decoder_input");
        Assert.Equal("inputs: missing tensor 'decoder_input' of shape [T,B] token ids in [0,6): the token each decoder step reads (<bos>, then the reference)", Error(missing));
        Assert.Equal("inputs: tensor 'decoder_input' has shape [3,3] but the spec needs [T,B] token ids in [0,6) with T >= 1 and the source's B=2",
            Error(Inputs(("decoder_input", new HostArray<double>([3, 3], new double[9])))));
        Assert.Equal("inputs: decoder_input holds 6 at flat index 2 but every decoder input must be a whole number in [0,6)",
            Error(Inputs(("decoder_input", new HostArray<double>([3, 2], [0, 0, 6, 2, 3, 4])))));
        Assert.Equal("inputs: teacher holds 0.5 at flat index 3 but every teacher choice must be 1 (the reference token) or 0 (the previous step's argmax)",
            Error(Inputs(("teacher", new HostArray<double>([3, 2], [1, 1, 0, 0.5, 1, 1])))));
        Assert.Equal("inputs: tensor 'teacher' has shape [2,2] but must be [3,2]", Error(Inputs(("teacher", new HostArray<double>([2, 2], [1, 1, 1, 1])))));
        Assert.Equal("inputs: tensor 'dy' has shape [4,2,6] but must be [3,2,6]", Error(Inputs(("dy", new HostArray<double>([4, 2, TargetVocab], new double[48])))));
        Assert.StartsWith("inputs: unexpected tensor 'h0'; this spec takes ", Error(Inputs(("h0", new HostArray<double>([1, 2, 4], new double[8])))));
    }
}
