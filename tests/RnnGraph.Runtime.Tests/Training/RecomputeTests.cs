using RnnGraph.Compiler;
using RnnGraph.Compiler.Training;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Execution;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>
/// Checkpointed BPTT (<see cref="TrainerOptions.RecomputeEvery"/>) against full BPTT, the independent reference: the
/// same loss, gradients, final states and, over several optimizer steps, weights, up to float rounding.
/// </summary>
public sealed class RecomputeTests
{
    private static Compilation Compile(string layers, string inputs = "x: { size: 3 }", string topology = "")
    {
        var c = Compilation.Create(new SourceText("r.yaml", $"model:\n{topology}  inputs:\n    {inputs}\n  layers:\n{layers}"));
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        return c;
    }

    private static ParameterSet RandomParameters(Compilation c, int seed)
    {
        var random = new Random(seed);
        return new ParameterSet(c.Model!.Parameters.Select(p => new Parameter(p.Name, p.Dims,
            Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray())));
    }

    private static ParameterSet Copy(ParameterSet parameters) =>
        new(parameters.Select(p => new Parameter(p.Name, p.Shape, p.Value.ToArray())));

    private static float[] Uniform(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, string what, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max(), worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= tolerance * scale + 1e-7, $"{what}: max |full - recompute| {worst:e2} at scale {scale:e2}");
    }

    private static void AssertCloseLoss(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Abs(expected), $"loss {actual} but full BPTT {expected}");

    /// <summary>One step with learning rate 0 on a full-BPTT trainer and a recompute one: the gradients stay in Grad.</summary>
    private static (Trainer Full, Trainer Recompute) StepBoth(Compilation c, TrainingBatch batch, int every, LossKind loss)
    {
        var parameters = RandomParameters(c, 5);
        var full = new Trainer(c, Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(loss));
        var recompute = new Trainer(c, Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(loss) { RecomputeEvery = every });
        AssertCloseLoss(full.Step(batch, 0), recompute.Step(batch, 0));
        foreach (var p in full.Parameters) AssertClose(p.Grad, recompute.Parameters[p.Name].Grad, "grad " + p.Name);
        Assert.Contains(full.Parameters, p => p.Grad.Any(g => g != 0));
        return (full, recompute);
    }

    private static TrainingBatch SeriesBatch(int steps, int batch, int input, int output, int[]? lengths = null) =>
        new(steps, batch, Uniform(steps * batch * input, 1), Uniform(steps * batch * output, 2), lengths);

    public static TheoryData<string, int, int> CellsStepsAndSegments() => new()
    {
        { "lstm", 12, 4 },  // three whole segments
        { "lstm", 13, 4 },  // and a last one of 1 step
        { "gru", 12, 3 },
        { "gru", 11, 5 },
        { "rnn_tanh", 9, 2 },
        { "lstm", 7, 1 },   // a segment per step
    };

    [Theory]
    [MemberData(nameof(CellsStepsAndSegments))]
    public void Gradients_and_loss_equal_full_bptt(string cell, int steps, int every)
    {
        var c = Compile($"    - rnn: {{ cell: {cell}, hidden: 5, layers: 2 }}\n    - rnn: {{ cell: {cell}, hidden: 4, name: top }}\n    - dense: {{ units: 2 }}\n");
        var (full, recompute) = StepBoth(c, SeriesBatch(steps, 3, 3, 2), every, LossKind.MeanSquaredError);
        // The states after the last step are the same too, for the next window of a stream.
        foreach (var (name, state) in full.FinalStates) AssertClose(state, recompute.FinalStates[name], "final " + name);
        Assert.Equal(full.FinalStates.Keys.Order(), recompute.FinalStates.Keys.Order());
        Assert.Equal(cell == "lstm" ? 4 : 2, recompute.FinalStates.Count);
    }

    [Fact]
    public void Padded_sequences_and_cross_entropy_over_tokens_equal_full_bptt()
    {
        var c = Compile("    - embed: { dim: 4 }\n    - rnn: { cell: lstm, hidden: 6 }\n    - dense: { units: 7 }\n", "x: { vocab: 7 }");
        var random = new Random(3);
        int steps = 10, batch = 4;
        var ids = Enumerable.Range(0, steps * batch).Select(_ => (float)random.Next(7)).ToArray();
        var targets = Enumerable.Range(0, steps * batch).Select(_ => (float)random.Next(7)).ToArray();
        StepBoth(c, new TrainingBatch(steps, batch, ids, targets, [10, 3, 7, 1]), 3, LossKind.CrossEntropy);
    }

    [Fact]
    public void Carried_initial_states_enter_the_first_segment()
    {
        var c = Compile("    - rnn: { cell: gru, hidden: 4, layers: 2 }\n    - dense: { units: 1 }\n");
        var initial = new Dictionary<string, float[]> { ["h0"] = Uniform(2 * 2 * 4, 9) };
        var batch = SeriesBatch(8, 2, 3, 1) with { InitialStates = initial };
        var (full, recompute) = StepBoth(c, batch, 3, LossKind.MeanSquaredError);
        AssertClose(full.FinalStates["h0"], recompute.FinalStates["h0"], "final h0");
    }

    /// <summary>Truncated BPTT over a stream: each window starts from the states the last one ended in.</summary>
    [Fact]
    public void Windows_of_a_stream_carry_the_final_states_on()
    {
        var c = Compile("    - rnn: { cell: lstm, hidden: 4 }\n    - dense: { units: 2 }\n");
        var parameters = RandomParameters(c, 6);
        var full = new Trainer(c, Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError));
        var recompute = new Trainer(c, Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError) { RecomputeEvery = 3 });
        for (int window = 0; window < 3; window++)
        {
            var batch = new TrainingBatch(7, 2, Uniform(7 * 2 * 3, 30 + window), Uniform(7 * 2 * 2, 40 + window));
            AssertCloseLoss(full.Step(batch with { InitialStates = window == 0 ? null : full.FinalStates }, 0.1),
                            recompute.Step(batch with { InitialStates = window == 0 ? null : recompute.FinalStates }, 0.1));
        }
        AssertClose(full.FinalStates["h0"], recompute.FinalStates["h0"], "final h0", 1e-4);
    }

    [Fact]
    public void Many_to_one_pooling_the_last_step_equals_full_bptt()
    {
        var c = Compile("    - rnn: { cell: lstm, hidden: 5 }\n    - dense: { units: 2 }\n", topology: "  topology: many-to-one\n");
        var batch = new TrainingBatch(9, 3, Uniform(9 * 3 * 3, 1), Uniform(3 * 2, 2));
        StepBoth(c, batch, 4, LossKind.MeanSquaredError);
        // Lengths are fine while every sequence reaches the last segment (steps 6..8 with k = 3).
        StepBoth(c, batch with { Lengths = [9, 7, 8] }, 3, LossKind.MeanSquaredError);
    }

    [Fact]
    public void Many_to_one_sequences_ending_before_the_last_segment_are_refused()
    {
        var c = Compile("    - rnn: { cell: lstm, hidden: 5 }\n    - dense: { units: 2 }\n", topology: "  topology: many-to-one\n");
        var trainer = new Trainer(c, RandomParameters(c, 1), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError) { RecomputeEvery = 4 });
        var batch = new TrainingBatch(9, 3, Uniform(9 * 3 * 3, 1), Uniform(3 * 2, 2), [9, 8, 5]);
        var e = Assert.Throws<RuntimeDataException>(() => trainer.Step(batch, 0.1));
        Assert.Equal("with recompute_every: 4, every sequence of a many-to-one batch must be longer than 8 steps (its last segment starts there), but one has 5 of the batch's 9", e.Message);
    }

    [Fact]
    public void Evaluation_loss_and_outputs_equal_the_whole_graphs()
    {
        var c = Compile("    - rnn: { cell: lstm, hidden: 5 }\n    - dense: { units: 2 }\n");
        var parameters = RandomParameters(c, 2);
        var full = new Trainer(c, Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError));
        var recompute = new Trainer(c, Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError) { RecomputeEvery = 3 });
        var batch = SeriesBatch(11, 2, 3, 2, [11, 6]);
        float[] expected = new float[11 * 2 * 2], actual = new float[11 * 2 * 2];
        AssertCloseLoss(full.Loss(batch, expected), recompute.Loss(batch, actual));
        AssertClose(expected, actual, "y");
        AssertCloseLoss(full.Loss(batch), recompute.Loss(batch));
        AssertClose(full.FinalStates["c0"], recompute.FinalStates["c0"], "final c0");
    }

    [Fact]
    public void Several_adam_steps_with_clipping_reach_the_same_weights()
    {
        var c = Compile("    - rnn: { cell: gru, hidden: 6 }\n    - dense: { units: 2 }\n");
        var parameters = RandomParameters(c, 7);
        var options = new TrainerOptions(LossKind.MeanSquaredError, ClipNorm: 0.5);
        var full = new Trainer(c, Copy(parameters), Optimizers.Create("adam"), options);
        var recompute = new Trainer(c, Copy(parameters), Optimizers.Create("adam"), options with { RecomputeEvery = 4 });
        for (int step = 0; step < 5; step++)
        {
            var batch = new TrainingBatch(14, 3, Uniform(14 * 3 * 3, 10 + step), Uniform(14 * 3 * 2, 20 + step));
            AssertCloseLoss(full.Step(batch, 0.01), recompute.Step(batch, 0.01));
        }
        foreach (var p in full.Parameters) AssertClose(p.Value, recompute.Parameters[p.Name].Value, "weights " + p.Name, 1e-4);
    }

    [Fact]
    public void A_batch_no_longer_than_a_segment_runs_the_whole_graph()
    {
        var c = Compile("    - rnn: { cell: lstm, hidden: 5 }\n    - dense: { units: 2 }\n");
        var parameters = RandomParameters(c, 3);
        var full = new Trainer(c, Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError));
        var recompute = new Trainer(c, Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError) { RecomputeEvery = 6 });
        var batch = SeriesBatch(6, 2, 3, 2);
        Assert.Equal(full.Step(batch, 0.1), recompute.Step(batch, 0.1));
        foreach (var p in full.Parameters) Assert.Equal(p.Value, recompute.Parameters[p.Name].Value);
        var graphs = recompute.GraphsRunFor(batch);
        Assert.Equal(6, Assert.Single(graphs).Graph.Info.Steps);
    }

    [Fact]
    public void Only_segment_graphs_are_compiled_for_a_long_batch()
    {
        var c = Compile("    - rnn: { cell: lstm, hidden: 5 }\n    - dense: { units: 2 }\n");
        var trainer = new Trainer(c, RandomParameters(c, 3), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError) { RecomputeEvery = 4 });
        var batch = SeriesBatch(10, 2, 3, 2);
        trainer.Step(batch, 0.1);
        // Forward of segments 1-2, their recompute with backward, and the 2-step last segment's.
        var graphs = trainer.GraphsRunFor(batch);
        Assert.Equal([(4, 2), (4, 2), (2, 1)], graphs.Select(g => (g.Graph.Info.Steps, g.Runs)));
        Assert.Equal([(4, 2), (2, 1)], trainer.GraphsRunFor(batch, withBackward: false).Select(g => (g.Graph.Info.Steps, g.Runs)));
    }

    /// <summary>
    /// With dropout the masks are keyed by step, so however the steps are cut into segments a training step computes the
    /// same thing; if a segment's recompute saw other masks than its forward pass, the results would depend on k.
    /// </summary>
    [Fact]
    public void Dropout_masks_are_the_same_in_forward_and_recompute()
    {
        string Layers(string dropout) => $"    - rnn: {{ cell: lstm, hidden: 5, layers: 2{dropout} }}\n    - dense: {{ units: 2 }}\n";
        var c = Compile(Layers(", dropout: 0.4, recurrent_dropout: 0.3"));
        var parameters = RandomParameters(c, 4);
        var batch = SeriesBatch(9, 3, 3, 2);
        var results = new[] { 1, 2, 4, 8 }.Select(every =>
        {
            var trainer = new Trainer(c, Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError, Seed: 3) { RecomputeEvery = every });
            double[] losses = [trainer.Step(batch, 0.1), trainer.Step(batch, 0.1)];
            return (Losses: losses, Weights: trainer.Parameters.SelectMany(p => p.Value).ToArray());
        }).ToList();
        foreach (var other in results.Skip(1))
        {
            for (int i = 0; i < 2; i++) AssertCloseLoss(results[0].Losses[i], other.Losses[i]);
            AssertClose(results[0].Weights, other.Weights, "weights", 1e-4);
        }
        var plain = new Trainer(Compile(Layers("")), Copy(parameters), Optimizers.Create("sgd"), new TrainerOptions(LossKind.MeanSquaredError) { RecomputeEvery = 2 });
        Assert.NotEqual(plain.Step(batch, 0.1), results[0].Losses[0], 3);
    }

    [Fact]
    public void A_bidirectional_model_is_refused()
    {
        var c = Compile("    - rnn: { cell: lstm, hidden: 5, bidirectional: true }\n    - dense: { units: 2 }\n");
        var e = Assert.Throws<ArgumentException>(() => new Trainer(c, RandomParameters(c, 1), Optimizers.Create("sgd"), new TrainerOptions { RecomputeEvery = 4 }));
        Assert.StartsWith("RecomputeEvery cannot train this model: the layer 'rnn' is bidirectional (its reverse direction starts at the last step)", e.Message);
    }
}
