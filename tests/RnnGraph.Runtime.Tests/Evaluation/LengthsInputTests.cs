using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Tests.Evaluation;

/// <summary>The optional <c>lengths</c> input of eval: validation, and what a sequence past its end produces.</summary>
public sealed class LengthsInputTests
{
    private static readonly Compilation Model = Compilation.Create(new SourceText("m.yaml",
        "model:\n  inputs:\n    x: { size: 2 }\n  layers:\n    - rnn: { cell: gru, hidden: 3, bidirectional: true }\n    - dense: { units: 2 }\n"));

    private static Dictionary<string, TensorValue> Weights()
    {
        var random = new Random(7);
        return Model.Model!.Parameters.ToDictionary(p => p.Name, p =>
            TensorValue.FromFloat(Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(), p.Dims));
    }

    private static Dictionary<string, TensorValue> Inputs(TensorValue lengths) => new()
    {
        ["x"] = TensorValue.FromFloat(Enumerable.Range(0, 4 * 2 * 2).Select(i => (float)Math.Sin(i)).ToArray(), 4, 2, 2),
        ["lengths"] = lengths,
    };

    [Fact]
    public void Outputs_past_a_sequence_end_are_zero_and_final_states_match_a_run_of_that_length()
    {
        var weights = Weights();
        var outputs = TensorEvaluator.Evaluate(Model, weights, Inputs(TensorValue.FromInt64([4, 2], 2)));
        var y = outputs["y"].ToFloatArray();                    // [T=4, B=2, 2]
        for (int t = 2; t < 4; t++) Assert.Equal([0f, 0f], y.AsSpan((t * 2 + 1) * 2, 2).ToArray());
        Assert.Contains(y.AsSpan(2 * 2 * 2, 2).ToArray(), v => v != 0); // sequence 0 still runs at t=2

        // Sequence 1 alone, cut to its 2 steps, must give the same final states (both directions).
        var x = Inputs(TensorValue.FromInt64([4, 2], 2))["x"].ToFloatArray();
        var cut = new float[2 * 1 * 2];
        for (int t = 0; t < 2; t++) Array.Copy(x, (t * 2 + 1) * 2, cut, t * 2, 2);
        var alone = TensorEvaluator.Evaluate(Model, weights, new Dictionary<string, TensorValue> { ["x"] = TensorValue.FromFloat(cut, 2, 1, 2) });
        var hn = outputs["h_n"].ToFloatArray();                 // [2, B=2, 3]
        var hnAlone = alone["h_n"].ToFloatArray();              // [2, 1, 3]
        for (int k = 0; k < 2; k++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(hnAlone[k * 3 + j], hn[(k * 2 + 1) * 3 + j], 6);
    }

    [Theory]
    [InlineData(new long[] { 0, 2 }, "inputs: lengths[0] is 0 but every length must be a whole number from 1 to T=4")]
    [InlineData(new long[] { 5, 2 }, "inputs: lengths[0] is 5 but every length must be a whole number from 1 to T=4")]
    [InlineData(new long[] { 4 }, "inputs: tensor 'lengths' has shape [1] but must be [2]")]
    public void Bad_lengths_are_one_line_errors(long[] lengths, string message)
    {
        var e = Assert.Throws<EvalException>(() => TensorEvaluator.Evaluate(Model, Weights(), Inputs(TensorValue.FromInt64(lengths, lengths.Length))));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Float_lengths_are_rejected()
    {
        var e = Assert.Throws<EvalException>(() => TensorEvaluator.Evaluate(Model, Weights(), Inputs(TensorValue.FromFloat([4f, 2f], 2))));
        Assert.Equal("inputs: tensor 'lengths' has dtype F32 which cannot be used here (token ids and lengths must be I32 or I64)", e.Message);
    }
}
