using RnnGraph.Compiler.Analysis;
using RnnGraph.Compiler.Ops;

namespace RnnGraph.Compiler.Tests.Analysis;

/// <summary>
/// <see cref="ModelSummary"/> against independent formulas: PyTorch's parameter counts, hand-counted FLOPs of a
/// dense layer and of one LSTM step, activation memory linear in T, many-to-one shapes.
/// </summary>
public sealed class ModelSummaryTests
{
    private static ModelSummary Summarize(string layers, int steps = 5, int batch = 3, string inputs = "x: {size: 5}", string topology = "") =>
        ModelSummary.Compute(TestSpecs.Compile($"model:\n{topology}  inputs:\n    {inputs}\n  layers:\n{layers}"), steps, batch);

    private static SummaryRow Row(ModelSummary summary, string name) => summary.Rows.Single(r => r.Name == name);

    /// <summary>PyTorch's parameters of one layer and direction: gates·H·(input + H) weights, 2·gates·H biases.</summary>
    private static long CellParameters(int gates, int input, int hidden, bool bias) =>
        (long)gates * hidden * (input + hidden) + (bias ? 2L * gates * hidden : 0);

    [Theory]
    [InlineData("rnn_tanh", 1, 7, 1, false, true)]
    [InlineData("rnn_relu", 1, 6, 2, true, true)]
    [InlineData("gru", 3, 7, 2, true, true)]
    [InlineData("gru", 3, 4, 3, false, false)]
    [InlineData("lstm", 4, 4, 3, false, false)]
    [InlineData("lstm", 4, 9, 2, true, true)]
    [InlineData("lstm", 4, 1, 1, false, true)]
    public void Recurrent_parameters_match_pytorch(string cell, int gates, int hidden, int layers, bool bidirectional, bool bias)
    {
        const int input = 5;
        var summary = Summarize($"    - rnn: {{cell: {cell}, hidden: {hidden}, layers: {layers}, bidirectional: {(bidirectional ? "true" : "false")}, bias: {(bias ? "true" : "false")}}}\n");
        int directions = bidirectional ? 2 : 1;
        long expected = 0;
        for (int l = 0; l < layers; l++)
            expected += directions * CellParameters(gates, l == 0 ? input : directions * hidden, hidden, bias);

        Assert.Equal(expected, Row(summary, "rnn").Parameters);
        Assert.Equal(expected, summary.Total.Parameters);
        // The parts split the layer's parameters: one cell per stacked layer and direction.
        if (layers * directions > 1)
        {
            var parts = summary.Rows.Where(r => r.Depth == 1 && r.Kind.StartsWith(cell, StringComparison.Ordinal)).ToList();
            Assert.Equal(layers * directions, parts.Count);
            Assert.Equal(CellParameters(gates, input, hidden, bias), parts[0].Parameters);
            Assert.Equal(expected, parts.Sum(p => p.Parameters));
        }
    }

    [Fact]
    public void Embed_and_dense_parameters_are_vocab_times_dim_and_out_times_in_plus_out()
    {
        var summary = Summarize("    - embed: {dim: 6}\n    - rnn: {cell: gru, hidden: 4}\n    - dense: {units: 3}\n", inputs: "x: {vocab: 11}");

        Assert.Equal(11 * 6, Row(summary, "embed").Parameters);
        Assert.Equal(CellParameters(3, 6, 4, bias: true), Row(summary, "rnn").Parameters);
        Assert.Equal(3 * 4 + 3, Row(summary, "dense").Parameters);
        Assert.Equal(11 * 6 + CellParameters(3, 6, 4, true) + 3 * 4 + 3, summary.Total.Parameters);
        Assert.Equal("[T,B,6]", Row(summary, "embed").OutputShape);
        Assert.Equal("[T,B]", Row(summary, "x").OutputShape);
    }

    [Theory]
    [InlineData("none", 0)]
    [InlineData("softmax", OpCost.SoftmaxPerElement)]
    public void Dense_flops_are_two_per_multiply_add_plus_bias_plus_activation(string activation, int perActivation)
    {
        const int batch = 3, steps = 5, input = 4, units = 7;
        var summary = Summarize($"    - rnn: {{cell: rnn_tanh, hidden: {input}}}\n    - dense: {{units: {units}, activation: {activation}}}\n", steps, batch);
        long perStep = 2L * batch * input * units + batch * units + perActivation * batch * units;

        var dense = Row(summary, "dense");
        Assert.Equal(perStep, dense.FlopsPerStep);
        Assert.Equal(steps * perStep, dense.FlopsPerSequence);
        Assert.Equal(0, dense.ActivationBytes % (steps * ModelSummary.BytesPerElement));
    }

    [Fact]
    public void One_lstm_step_costs_its_two_matmuls_and_its_elementwise_ops()
    {
        const int batch = 3, input = 5, hidden = 4;
        var summary = Summarize($"    - rnn: {{cell: lstm, hidden: {hidden}}}\n", steps: 8, batch: batch);
        long matmuls = 2L * batch * input * 4 * hidden + 2L * batch * hidden * 4 * hidden;
        // On the gates [B,4H]: + bias_ih, + the recurrent product, + bias_hh. On [B,H]: sigmoid(i), sigmoid(f),
        // sigmoid(o), tanh(g), tanh(c), f*c[t-1], i*g, o*tanh(c), and the sum that makes c.
        long elementwise = 3L * batch * 4 * hidden + 9L * batch * hidden;

        Assert.Equal(matmuls + elementwise, Row(summary, "rnn").FlopsPerStep);
        Assert.Equal(matmuls + elementwise, summary.Total.FlopsPerStep);
    }

    [Fact]
    public void Flops_per_sequence_grow_by_one_step_per_step()
    {
        string layers = "    - rnn: {cell: gru, hidden: 6, layers: 2, bidirectional: true}\n    - dense: {units: 3, activation: softmax}\n";
        var at9 = Summarize(layers, steps: 9);
        var at10 = Summarize(layers, steps: 10);

        Assert.Equal(at10.Total.FlopsPerStep, at10.Total.FlopsPerSequence - at9.Total.FlopsPerSequence);
        foreach (var row in at10.Rows)
            Assert.Equal(row.FlopsPerStep, row.FlopsPerSequence - Row(at9, row.Name).FlopsPerSequence);
    }

    [Fact]
    public void Activation_memory_grows_linearly_in_steps_and_in_batch()
    {
        string layers = "    - rnn: {cell: lstm, hidden: 8, layers: 2}\n    - dense: {units: 5, activation: softmax}\n";
        long At(int steps, int batch = 4) => Summarize(layers, steps, batch).Total.ActivationBytes;

        long tenSteps = At(20) - At(10);
        Assert.True(tenSteps > 0);
        Assert.Equal(tenSteps, At(30) - At(20));
        Assert.Equal(2 * (At(15) - At(10)), tenSteps);
        Assert.Equal(2 * At(10, batch: 4), At(10, batch: 8));
        // The dense head, time-batched, keeps its stacked input (B·H), the stacked product and each step's slice of it,
        // its biased sum and its softmax: B·H + 4·B·O floats per step.
        var dense = Summarize(layers, steps: 10, batch: 4);
        Assert.Equal(10L * 4 * (8 + 4 * 5) * ModelSummary.BytesPerElement, Row(dense, "dense").ActivationBytes);
    }

    [Fact]
    public void Many_to_one_pools_to_one_vector_and_the_head_runs_once()
    {
        const int batch = 3, steps = 6, hidden = 4, units = 2;
        var summary = Summarize($"    - rnn: {{cell: gru, hidden: {hidden}, bidirectional: true}}\n    - dense: {{units: {units}}}\n",
                                steps, batch, topology: "  topology: many-to-one\n  pooling: attention\n");
        int features = 2 * hidden;

        Assert.Equal(["x", "rnn", "l0 fwd", "l0 rev", "l0 merge", "pool", "dense"], summary.Rows.Select(r => r.Name));
        Assert.Equal("[T,B,8]", Row(summary, "rnn").OutputShape);
        Assert.Equal("[B,8]", Row(summary, "pool").OutputShape);
        Assert.Equal("[B,2]", Row(summary, "dense").OutputShape);
        Assert.Equal("pooling, attention", Row(summary, "pool").Kind);
        Assert.Equal(features * features + features + features, Row(summary, "pool").Parameters);
        var dense = Row(summary, "dense");
        Assert.Equal(0, dense.FlopsPerStep);
        Assert.Equal(2L * batch * features * units + batch * units, dense.FlopsPerSequence);
        Assert.True(Row(summary, "pool").FlopsPerStep > 0);
    }

    [Fact]
    public void Parts_of_a_stack_add_up_to_their_layer()
    {
        var summary = Summarize("    - rnn: {cell: lstm, hidden: 3, layers: 2, bidirectional: true, dropout: 0.5}\n", steps: 4);
        var rnn = Row(summary, "rnn");
        var parts = summary.Rows.Where(r => r.Depth == 1).ToList();

        Assert.Equal(["l0 fwd", "l0 rev", "l0 dropout", "l0 merge", "l1 fwd", "l1 rev", "l1 merge"], parts.Select(p => p.Name));
        Assert.Equal(rnn.Parameters, parts.Sum(p => p.Parameters));
        Assert.Equal(rnn.FlopsPerStep, parts.Sum(p => p.FlopsPerStep));
        Assert.Equal(rnn.FlopsPerSequence, parts.Sum(p => p.FlopsPerSequence));
        Assert.Equal(rnn.ActivationBytes, parts.Sum(p => p.ActivationBytes));
        Assert.Equal("[T,B,6]", Row(summary, "l0 merge").OutputShape);
    }

    [Fact]
    public void An_encoder_decoder_names_its_attention_and_bridge_rows_and_counts_their_parameters()
    {
        var summary = ModelSummary.Compute(TestSpecs.Compile("""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 11 }
              encoder:
                - embed: { dim: 4 }
                - rnn: { cell: gru, hidden: 5, bidirectional: true }
              bridge: dense
              attention: { type: additive, units: 7 }
              decoder:
                - embed: { dim: 3 }
                - rnn: { cell: gru, hidden: 6 }
                - dense: { units: 9 }
              max_output_length: 8
            """), steps: 4, batch: 2);

        var attention = Row(summary, "attention");
        Assert.Equal("additive attention, 7 units", attention.Kind);
        Assert.Equal("[T,B,S]", attention.OutputShape);
        // W_s [A,H_dec] (no bias), W_h [A,E] + b [A], v [1,A]: E = 2·5 memory features.
        Assert.Equal(7 * 6 + (7 * 10 + 7) + 7, attention.Parameters);
        var bridge = Row(summary, "bridge");
        Assert.Equal("dense: encoder finals -> decoder initial states", bridge.Kind);
        Assert.Equal("[1,B,6]", bridge.OutputShape);
        Assert.Equal(6 * 10 + 6, bridge.Parameters); // tanh(W [forward; reverse] + b) into the decoder's 6
        Assert.Equal(summary.Rows.Where(r => r.Depth == 0).Sum(r => r.Parameters), summary.Total.Parameters);
        Assert.StartsWith("S = T = 4 (S source steps, T decoder steps), B = 2,", SummaryFormat.Notes(summary).First(), StringComparison.Ordinal);
    }

    [Fact]
    public void One_to_one_counts_one_step()
    {
        var summary = Summarize("    - dense: {units: 3}\n", steps: 7, batch: 2, topology: "  topology: one-to-one\n");

        Assert.True(summary.OneToOne);
        Assert.Equal(1, summary.Steps);
        Assert.Equal("[B,3]", Row(summary, "dense").OutputShape);
        Assert.Equal(2L * 2 * 5 * 3 + 2 * 3, Row(summary, "dense").FlopsPerStep);
        Assert.Equal(Row(summary, "dense").FlopsPerStep, Row(summary, "dense").FlopsPerSequence);
    }

    [Fact]
    public void Every_op_has_a_flop_counting_rule() =>
        Assert.All(OpTable.All, op => Assert.True(OpCost.Covers(op.Name), $"op '{op.Name}' has no rule in OpCost"));
}
