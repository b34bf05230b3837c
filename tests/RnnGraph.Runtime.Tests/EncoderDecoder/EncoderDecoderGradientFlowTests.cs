using RnnGraph.Compiler;
using RnnGraph.Compiler.Unrolling;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Analysis;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.EncoderDecoder;

/// <summary>
/// Gradient flow through an encoder-decoder: a probe on every encoder state (per source step, layer and direction) and every
/// decoder state (per decoder step and layer). The probes change neither the loss nor any parameter gradient, their gradients
/// are zero exactly where nothing downstream reaches the loss (padded source steps, decoder steps past every target), and each
/// probe's gradient is the loss's derivative along it, checked by central differences of the loss with the probe moved.
/// </summary>
public sealed class EncoderDecoderGradientFlowTests
{
    private const int S = 5, T = 4, B = 3;

    public static TheoryData<string> Models() => new() { "additive", "general", "none" };

    /// <summary>A 2-layer bidirectional GRU encoder and a 2-layer decoder: GRU with additive attention, LSTM with Luong general, GRU without.</summary>
    private static Compilation Spec(string attention)
    {
        string cell = attention == "general" ? "lstm" : "gru";
        var c = Compilation.Create(new SourceText("flow.yaml", $$"""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 7 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: {{cell}}, hidden: 3, layers: 2, bidirectional: true }
              bridge: dense
              attention: {{attention}}
              decoder:
                - embed: { dim: 3 }
                - rnn: { cell: {{cell}}, hidden: 5, layers: 2 }
                - dense: { units: 6 }
              max_output_length: 8
            """));
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        return c;
    }

    private static ParameterSet Weights(Compilation c)
    {
        var random = new Random(17);
        return ParameterSet.FromTensors(c.Model!.Parameters.ToDictionary(p => p.Name, p => TensorValue.FromFloat(
            Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 1.2 - 0.6)).ToArray(), p.Dims)));
    }

    /// <summary>Sources [S,B] of lengths 5, 3, 2; targets of lengths 3, 2, 3 (decoder step 3 is padding for every example).</summary>
    private static TrainingBatch Batch() => new(S, B, [1, 2, 3, 4, 5, 6, 2, 1, 0, 3, 6, 6, 5, 6, 6], [3, 1, 5, 2, 4, 1, 4, 0, 2, 0, 0, 0], [5, 3, 2])
    {
        TargetSteps = T,
        DecoderInputs = [0, 0, 0, 3, 1, 5, 2, 4, 1, 4, 0, 2],
        TargetLengths = [3, 2, 3],
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Probes_change_neither_the_loss_nor_the_parameter_gradients(string attention)
    {
        var c = Spec(attention);
        var plain = new Trainer(c, Weights(c), Optimizers.Create("sgd"));
        double loss = plain.Step(Batch(), learningRate: 0);
        var probed = new Trainer(c, Weights(c), Optimizers.Create("sgd")).ProbeStates(Batch());

        Assert.Equal(loss, probed.Loss, 6);
        foreach (var p in plain.Parameters)
        {
            var got = probed.Parameters[p.Name];
            for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - p.Grad[i]) <= 1e-6 + 1e-5 * Math.Abs(p.Grad[i]), $"{p.Name}[{i}]: {got[i]} vs {p.Grad[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_probe_per_state_and_step_with_zeros_where_nothing_reaches_the_loss(string attention)
    {
        var c = Spec(attention);
        var probed = new Trainer(c, Weights(c), Optimizers.Create("sgd")).ProbeStates(Batch());
        int[] sourceLengths = [5, 3, 2], targetLengths = [3, 2, 3];

        // Encoder: 2 layers × 2 directions × S steps; decoder: 2 layers × T steps.
        Assert.Equal(2 * 2 * S + 2 * T, probed.States.Count);
        foreach (var ((name, t), gradient) in probed.States)
        {
            bool decoder = name.StartsWith(StateProbes.Prefix + "decoder.", StringComparison.Ordinal);
            int hidden = decoder ? 5 : 3;
            Assert.Equal(B * hidden, gradient.Length);
            for (int b = 0; b < B; b++)
            {
                var row = gradient.AsSpan(b * hidden, hidden).ToArray();
                // Past a source's length the encoder's states are frozen (the probe reaches nothing); a decoder state past an
                // example's targets feeds only its own uncounted outputs and later ones.
                bool dead = t >= (decoder ? targetLengths : sourceLengths)[b];
                if (dead) Assert.All(row, g => Assert.Equal(0f, g));
                else Assert.Contains(row, g => g != 0);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Each_probe_gradient_is_the_derivative_of_the_loss_along_it(string attention)
    {
        var c = Spec(attention);
        var trainer = new Trainer(c, Weights(c), Optimizers.Create("sgd"));
        var probed = trainer.ProbeStates(Batch());
        // The first and last steps of each encoder direction and layer, the first and last counted decoder steps of each layer.
        var probes = probed.States.Keys.Where(k => k.Probe.Contains(".encoder.", StringComparison.Ordinal) ? k.Step is 0 or S - 1 : k.Step is 0 or T - 2).ToList();
        Assert.Equal(2 * 2 * 2 + 2 * 2, probes.Count);
        foreach (var key in probes)
        {
            // Along the gradient itself: the directional derivative is its norm. Float32 losses, so a step of 0.05 and 1% tolerance.
            var g = probed.States[key];
            double norm = Math.Sqrt(g.Sum(v => (double)v * v));
            const double Eps = 0.05;
            double Moved(double by) => trainer.ProbeStates(Batch(), new Dictionary<(string, int), float[]> { [key] = g.Select(v => (float)(by * v / norm)).ToArray() }).Loss;
            double estimate = (Moved(Eps) - Moved(-Eps)) / (2 * Eps);
            Assert.True(Math.Abs(estimate - norm) <= 0.01 * norm, $"{key}: central difference {estimate:e4}, ||dL/dh|| {norm:e4}");
        }
    }

    [Fact]
    public void The_measured_flow_has_each_layers_own_steps()
    {
        var c = Spec("additive");
        var flow = GradientFlow.Measure(c, Weights(c), [Batch()], Compiler.Training.LossKind.CrossEntropy);
        Assert.Equal(["encoder.rnn l0", "encoder.rnn l0 reverse", "encoder.rnn l1", "encoder.rnn l1 reverse", "decoder.rnn l0", "decoder.rnn l1"],
                     flow.Series.Select(s => s.Label));
        Assert.All(flow.Series, s => Assert.Equal(s.Layer.StartsWith("decoder", StringComparison.Ordinal) ? T : S, s.Norms.Count));
        Assert.Equal(S, flow.Steps);
        Assert.Equal(0, flow.Series[^1].Norms[T - 1]);
    }
}
