using System.Globalization;
using System.Text.Json;
using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Decoding;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.EncoderDecoder;

/// <summary>
/// Encoder-decoders against PyTorch with given weights (tests/golden/seq2seq, scripts/golden/generate_seq2seq_golden.py, computed in
/// float64 from float32 weights): the loss, every parameter's gradient and the logits of the one training graph, and the attention
/// weights and log-probabilities of the decoding graphs (encoder, then one decoder step at a time) fed the same tokens.
/// </summary>
public sealed class EncoderDecoderGoldenTests
{
    public static TheoryData<string> Cases()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Golden, "seq2seq", "manifest.json")));
        var data = new TheoryData<string>();
        foreach (var c in manifest.RootElement.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    /// <summary>A golden case: the spec its configuration describes, its weights, its batch and its reference tensors.</summary>
    internal sealed record Case(Compilation Compilation, ParameterSet Parameters, TrainingBatch Batch, IReadOnlyDictionary<string, TensorValue> Tensors,
                                IReadOnlyDictionary<string, string> Config)
    {
        public int Vocabulary => int.Parse(Config["tgt_vocab"], CultureInfo.InvariantCulture);
    }

    internal static Case Load(string name)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Golden, "seq2seq", "manifest.json")));
        var entry = manifest.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var config = entry.GetProperty("config").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var tensors = SafeTensors.Read(Path.Combine(RepoPaths.Golden, "seq2seq", entry.GetProperty("file").GetString()!));
        var compilation = Compilation.Create(new SourceText($"{name}.yaml", Spec(config)));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));

        var parameters = ParameterSet.FromTensors(compilation.Model!.Parameters.ToDictionary(p => p.Name, p => tensors[p.Name]));
        var src = tensors["src"];
        var target = tensors["target"];
        var batch = new TrainingBatch(src.Shape[0], src.Shape[1], src.ToFloatArray(), target.ToFloatArray(),
                                      tensors["src_len"].ToDoubleArray().Select(v => (int)v).ToArray())
        {
            TargetSteps = target.Shape[0],
            DecoderInputs = tensors["dec_in"].ToFloatArray(),
            TargetLengths = tensors["target_len"].ToDoubleArray().Select(v => (int)v).ToArray(),
        };
        return new Case(compilation, parameters, batch, tensors, config);
    }

    /// <summary>The RnnGraph spec of a case: every size and choice from its configuration, default layer names (so the parameter names match).</summary>
    private static string Spec(IReadOnlyDictionary<string, string> c)
    {
        string attention = c["attention"] switch
        {
            "additive" => $"{{ type: additive, units: {c["attention_units"]} }}",
            var other => other,
        };
        return $$"""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: {{c["src_vocab"]}} }
              encoder:
                - embed: { dim: {{c["src_embed"]}} }
                - rnn: { cell: {{c["cell"]}}, hidden: {{c["encoder_hidden"]}}, layers: {{c["encoder_layers"]}}, bidirectional: {{c["bidirectional"]}} }
              bridge: {{c["bridge"]}}
              attention: {{attention}}
              decoder:
                - embed: { dim: {{c["tgt_embed"]}} }
                - rnn: { cell: {{c["cell"]}}, hidden: {{c["decoder_hidden"]}}, layers: {{c["decoder_layers"]}} }
                - dense: { units: {{c["tgt_vocab"]}} }
              max_output_length: 10
            """;
    }

    private static void Near(ReadOnlySpan<float> got, double[] reference, string what)
    {
        Assert.Equal(reference.Length, got.Length);
        double scale = reference.Max(Math.Abs), worst = 0;
        int at = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = Math.Abs(got[i] - reference[i]);
            if (d > worst) (worst, at) = (d, i);
        }
        Assert.True(worst <= 1e-5 + 1e-4 * scale, $"{what}: max |got - ref| {worst:e2} at {at} (got {got[at]}, ref {reference[at]}; scale {scale:e2})");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_gradients_and_logits_match_pytorch(string name)
    {
        var c = Load(name);
        var trainer = new Trainer(c.Compilation, c.Parameters, Optimizers.Create("sgd"));
        var logits = new float[c.Batch.TargetSteps * c.Batch.Batch * c.Vocabulary];
        double forward = trainer.Loss(c.Batch, logits);
        Near(logits, c.Tensors["logits"].ToDoubleArray(), "logits");
        double reference = c.Tensors["loss"].ToDoubleArray()[0];
        Assert.True(Math.Abs(forward - reference) <= 1e-5 * Math.Abs(reference), $"loss {forward} but PyTorch {reference}");

        double loss = trainer.Step(c.Batch, learningRate: 0);
        Assert.True(Math.Abs(loss - reference) <= 1e-5 * Math.Abs(reference), $"training loss {loss} but PyTorch {reference}");
        foreach (var p in c.Parameters) Near(p.Grad, c.Tensors["grad." + p.Name].ToDoubleArray(), "grad." + p.Name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decoding_graphs_give_pytorchs_attention_and_log_probabilities(string name)
    {
        var c = Load(name);
        var batch = c.Batch;
        int B = batch.Batch, S = batch.Steps, T = batch.TargetSteps, V = c.Vocabulary;
        var sources = Enumerable.Range(0, B).Select(b => Enumerable.Range(0, batch.Lengths![b]).Select(j => (int)batch.Inputs[j * B + b]).ToArray()).ToList();
        var model = new EncoderDecoderSteps(c.Compilation, c.Parameters, banned: []);
        model.Encode(sources, width: 1);
        model.Start(Enumerable.Range(0, B).ToArray());
        var logits = c.Tensors["logits"].ToDoubleArray();
        double[]? attention = c.Tensors.TryGetValue("attention", out var a) ? a.ToDoubleArray() : null;
        var logProbabilities = new float[B * V];
        for (int t = 0; t < T; t++)
        {
            model.Step(Enumerable.Range(0, B).Select(b => (int)batch.DecoderInputs![t * B + b]).ToArray(), logProbabilities);
            var expected = new double[B * V];
            for (int b = 0; b < B; b++)
            {
                var row = logits.AsSpan((t * B + b) * V, V);
                double max = row.ToArray().Max(), log = max + Math.Log(row.ToArray().Sum(v => Math.Exp(v - max)));
                for (int v = 0; v < V; v++) expected[b * V + v] = row[v] - log;
            }
            Near(logProbabilities, expected, $"log-probabilities at step {t}");
            if (attention is null)
            {
                Assert.Null(model.LastAttention);
                continue;
            }
            // The decoding graph spans the longest source of the batch; PyTorch's reference spans S steps, zero past each source.
            int steps = model.SourceSteps;
            var got = model.LastAttention!;
            var reference = new double[B * steps];
            for (int b = 0; b < B; b++)
                for (int j = 0; j < S; j++)
                {
                    double w = attention[(t * B + b) * S + j];
                    if (j < steps) reference[b * steps + j] = w;
                    else Assert.True(w == 0, $"PyTorch weights a padded step {j} of row {b}");
                }
            Near(got, reference, $"attention at step {t}");
        }
    }
}
