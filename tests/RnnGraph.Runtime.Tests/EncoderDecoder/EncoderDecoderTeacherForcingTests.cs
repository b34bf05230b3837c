using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.EncoderDecoder;

/// <summary>
/// Sampled teacher forcing (<c>teacher[t]</c>): choosing the reference everywhere is the plain graph; choosing the previous
/// argmax is the plain graph fed, step by step, its own previous argmax (loss and gradients, the argmax passing none); and
/// the sampled graph's gradients pass central differences while no perturbation flips a fed argmax.
/// </summary>
public sealed class EncoderDecoderTeacherForcingTests
{
    private const int S = 5, T = 4, B = 3, V = 6;

    public static TheoryData<string> Models() => new() { "additive", "dot" };

    /// <summary>A Bahdanau GRU model (additive) or a Luong LSTM model with input feeding (dot).</summary>
    private static Compilation Spec(string attention)
    {
        string cell = attention == "dot" ? "lstm" : "gru";
        var c = Compilation.Create(new SourceText("teacher.yaml", $$"""
            model:
              topology: encoder-decoder
              inputs:
                src: { vocab: 7 }
              encoder:
                - embed: { dim: 3 }
                - rnn: { cell: {{cell}}, hidden: 3, bidirectional: true }
              bridge: concat
              attention: {{attention}}
              decoder:
                - embed: { dim: 3 }
                - rnn: { cell: {{cell}}, hidden: 6 }
                - dense: { units: {{V}} }
              max_output_length: 8
            """));
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        return c;
    }

    private static Trainer NewTrainer(Compilation c)
    {
        var random = new Random(11);
        var tensors = c.Model!.Parameters.ToDictionary(p => p.Name, p => TensorValue.FromFloat(
            Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 1.6 - 0.8)).ToArray(), p.Dims));
        return new Trainer(c, ParameterSet.FromTensors(tensors), Optimizers.Create("sgd"));
    }

    /// <summary>Sources [S,B] of lengths 5, 3, 2; decoder inputs &lt;bos&gt;=0 then the targets; targets of lengths 4, 4, 2.</summary>
    private static TrainingBatch Batch(float[]? decoderInputs = null, float[]? teacher = null)
    {
        float[] source = [1, 2, 3, 4, 5, 6, 2, 1, 0, 3, 6, 6, 5, 6, 6];
        float[] targets = [3, 1, 5, 2, 4, 1, 4, 2, 0, 1, 5, 0];
        float[] reference = [0, 0, 0, 3, 1, 5, 2, 4, 1, 4, 2, 0];
        return new TrainingBatch(S, B, source, targets, [5, 3, 2])
        {
            TargetSteps = T,
            DecoderInputs = decoderInputs ?? reference,
            TargetLengths = [4, 4, 2],
            Teacher = teacher,
        };
    }

    private static int Argmax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int v = 1; v < row.Length; v++) if (row[v] > row[best]) best = v;
        return best;
    }

    /// <summary>
    /// The plain graph run step by step: decoder input t (t ≥ 1) is the reference where <paramref name="teacher"/> is 1, else the argmax
    /// of the logits at t-1 of a run fed the inputs chosen so far (later inputs do not change earlier logits).
    /// </summary>
    private static float[] FedByHand(Trainer trainer, float[] teacher)
    {
        var inputs = (float[])Batch().DecoderInputs!.Clone();
        var logits = new float[T * B * V];
        for (int t = 1; t < T; t++)
        {
            trainer.Loss(Batch(inputs), logits);
            for (int b = 0; b < B; b++)
                if (teacher[t * B + b] == 0) inputs[t * B + b] = Argmax(logits.AsSpan(((t - 1) * B + b) * V, V));
        }
        return inputs;
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-6 * Math.Abs(expected), $"{what}: expected {expected}, got {actual}");

    [Theory]
    [MemberData(nameof(Models))]
    public void Teacher_all_one_is_the_plain_graph(string attention)
    {
        var trainer = NewTrainer(Spec(attention));
        double plain = trainer.Loss(Batch());
        double sampled = trainer.Loss(Batch(teacher: Enumerable.Repeat(1f, T * B).ToArray()));
        Close(plain, sampled, "loss");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Teacher_zero_feeds_the_previous_argmax_and_no_gradient_through_it(string attention)
    {
        var trainer = NewTrainer(Spec(attention));
        var teacher = new float[T * B];
        var fed = FedByHand(trainer, teacher);
        // Otherwise the check below would not tell the two graphs apart.
        Assert.NotEqual(Batch().DecoderInputs!.Skip(B), fed.Skip(B));

        double byHand = trainer.Loss(Batch(fed));
        double sampled = trainer.Loss(Batch(teacher: teacher));
        Close(byHand, sampled, "loss");

        // The gradients: the argmax is a choice, so they are those of the plain graph fed the chosen tokens.
        trainer.Step(Batch(fed), learningRate: 0);
        var expected = trainer.Parameters.ToDictionary(p => p.Name, p => (float[])p.Grad.Clone());
        trainer.Step(Batch(teacher: teacher), learningRate: 0);
        foreach (var p in trainer.Parameters)
            for (int i = 0; i < p.Grad.Length; i++)
                Assert.True(Math.Abs(expected[p.Name][i] - p.Grad[i]) <= 1e-6 + 1e-5 * Math.Abs(expected[p.Name][i]),
                    $"grad.{p.Name}[{i}]: plain graph fed the argmax {expected[p.Name][i]}, sampled graph {p.Grad[i]}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_mixed_teacher_feeds_the_reference_or_the_previous_argmax_per_example(string attention)
    {
        var trainer = NewTrainer(Spec(attention));
        float[] teacher = [0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0];
        var fed = FedByHand(trainer, teacher);
        var reference = Batch().DecoderInputs!;
        for (int i = B; i < T * B; i++)
            if (teacher[i] == 1) Assert.Equal(reference[i], fed[i]);
        Close(trainer.Loss(Batch(fed)), trainer.Loss(Batch(teacher: teacher)), "loss");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Sampled_graph_passes_the_gradient_check_while_no_argmax_flips(string attention)
    {
        var c = Spec(attention);
        // eps small enough that no perturbation moves a fed argmax (the report counts those that do).
        var options = new GradientCheckOptions(Steps: S, Batch: B, MaxElementsPerTensor: 12, Epsilon: 1e-6) { TargetSteps = T, TeacherForcing = 0.5 };
        var report = GradientChecker.Run(c, options);
        Assert.Equal(0, report.ArgmaxFlips);
        Assert.True(report.Passed, string.Join("; ", report.Entries.Where(e => e.WorstRelativeError > report.Tolerance).Select(e => $"{e.Name} {e.WorstRelativeError:e2}")));
        Assert.Equal(c.Model!.Parameters.Count, report.Entries.Count);
    }

    [Fact]
    public void Eval_with_teacher_zero_differs_from_the_reference_fed_graph()
    {
        // The gradient check above goes through the sampled path only if teacher 0 changes what the steps read.
        var c = Spec("additive");
        var random = new Random(2);
        var weights = c.Model!.Parameters.ToDictionary(p => p.Name, p =>
            new HostArray<double>(p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => random.NextDouble() - 0.5).ToArray()));
        var inputs = new Dictionary<string, HostArray<double>>
        {
            ["src"] = new([S, B], Batch().Inputs.Select(v => (double)v).ToArray()),
            ["lengths"] = new([B], [5, 3, 2]),
            ["decoder_input"] = new([T, B], Batch().DecoderInputs!.Select(v => (double)v).ToArray()),
        };
        var plain = ModelEvaluator<double>.Evaluate(c, weights, inputs)["y"].Data;
        inputs["teacher"] = new([T, B], new double[T * B]);
        var sampled = ModelEvaluator<double>.Evaluate(c, weights, inputs)["y"].Data;
        Assert.Equal(plain.AsSpan(0, B * V).ToArray(), sampled.AsSpan(0, B * V).ToArray());     // step 0 reads <bos> either way
        Assert.NotEqual(plain.Skip(B * V), sampled.Skip(B * V));
    }
}
