using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;

namespace RnnGraph.Runtime.Tests.GradientChecks;

/// <summary>
/// One-to-many (a sequence generated from a fixed-size condition, fed back its previous output token): gradients
/// against finite differences in both condition modes, with and without an embed layer; first-step against a
/// many-to-many model fed the same step inputs built by hand; padded sequences against cut ones; eval errors.
/// </summary>
public sealed class OneToManyTests
{
    private const int C = 3, O = 5;

    private static Compilation Spec(string condition, string cell, bool embed, string rnnExtras = "", string inputs = "x: { size: 3 }") =>
        Compilation.Create(new SourceText("g.yaml",
            $"model:\n  topology: one-to-many\n  condition: {condition}\n  inputs:\n    {inputs}\n  layers:\n" +
            (embed ? "    - embed: { dim: 3 }\n" : "") +
            $"    - rnn: {{ cell: {cell}, hidden: 4{rnnExtras} }}\n    - dense: {{ units: {O} }}\n"));

    public static TheoryData<string, string, bool, string> Cases()
    {
        var data = new TheoryData<string, string, bool, string>();
        foreach (var condition in new[] { "first-step", "state" })
            foreach (var cell in new[] { "gru", "lstm" })
                foreach (bool embed in new[] { false, true })
                    data.Add(condition, cell, embed, "");
        data.Add("state", "gru", false, ", layers: 2, bidirectional: true");
        data.Add("state", "lstm", true, ", layers: 2, batch_first: true");
        data.Add("first-step", "lstm", false, ", bidirectional: true, merge: ave");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_to_many_models_pass_the_gradient_check(string condition, string cell, bool embed, string rnnExtras)
    {
        var c = Spec(condition, cell, embed, rnnExtras);
        Assert.False(c.HasErrors, string.Join("\n", c.Diagnostics));
        var report = GradientChecker.Run(c, new GradientCheckOptions(Steps: 4, MaxElementsPerTensor: 12));
        Assert.Contains(report.Entries, e => e.Name == "grad.x");
        if (condition == "state")
        {
            Assert.Contains(report.Entries, e => e.Name == "grad.rnn.condition.weight");
            Assert.Contains(report.Entries, e => e.Name == "grad.rnn.condition.bias");
        }
        Assert.True(report.Passed, string.Join("; ", report.Entries.Where(e => e.WorstRelativeError > report.Tolerance).Select(e => $"{e.Name} {e.WorstRelativeError:e2}")));
    }

    private static Dictionary<string, HostArray<double>> Weights(Compilation c, int seed = 3)
    {
        var random = new Random(seed);
        return c.Model!.Parameters.ToDictionary(p => p.Name, p =>
            new HostArray<double>(p.Dims, Enumerable.Range(0, p.Dims.Aggregate(1, (a, b) => a * b)).Select(_ => random.NextDouble() - 0.5).ToArray()));
    }

    [Fact]
    public void State_condition_has_one_weight_row_block_per_stacked_layer_and_direction()
    {
        var c = Spec("state", "lstm", false, ", layers: 2, bidirectional: true");
        var p = c.Model!.Parameters.ToDictionary(p => p.Name, p => p.Dims);
        Assert.Equal([2 * 2 * 4, C], p["rnn.condition.weight"]);
        Assert.Equal([2 * 2 * 4], p["rnn.condition.bias"]);
        Assert.Equal([4 * 4, O], p["rnn.weight_ih_l0"]);
    }

    [Theory]
    [InlineData("gru")]
    [InlineData("lstm")]
    public void First_step_equals_a_many_to_many_model_fed_the_condition_and_one_hot_tokens_by_hand(string cell)
    {
        var oneToMany = Spec("first-step", cell, false, ", layers: 2");
        var manyToMany = Compilation.Create(new SourceText("m.yaml",
            $"model:\n  inputs:\n    x: {{ size: {C + O} }}\n  layers:\n    - rnn: {{ cell: {cell}, hidden: 4, layers: 2 }}\n    - dense: {{ units: {O} }}\n"));
        Assert.False(oneToMany.HasErrors || manyToMany.HasErrors);
        var weights = Weights(oneToMany);
        const int T = 4, B = 2;
        double[] condition = [0.5, -1, 0.25, 1, 0.3, -0.6];                     // [B, C]
        double[] feedback = [2, 2, 4, 1, 0, 3, 3, 4];                           // [T, B]
        var x = new double[T * B * (C + O)];                                    // [T, B, C+O]
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
            {
                int row = (t * B + b) * (C + O);
                if (t == 0) for (int i = 0; i < C; i++) x[row + i] = condition[b * C + i];
                x[row + C + (int)feedback[t * B + b]] = 1;
            }

        var got = ModelEvaluator<double>.Evaluate(oneToMany, weights, new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([B, C], condition),
            ["feedback"] = new([T, B], feedback),
        });
        var expected = ModelEvaluator<double>.Evaluate(manyToMany, weights, new Dictionary<string, HostArray<double>> { ["x"] = new([T, B, C + O], x) });

        Assert.Equal([T, B, O], got["y"].Shape);
        for (int i = 0; i < expected["y"].Data.Length; i++) Assert.Equal(expected["y"].Data[i], got["y"].Data[i], 12);
        for (int i = 0; i < expected["h_n"].Data.Length; i++) Assert.Equal(expected["h_n"].Data[i], got["h_n"].Data[i], 12);
    }

    [Fact]
    public void First_step_with_an_embed_layer_equals_a_many_to_many_model_fed_the_condition_and_embedding_rows_by_hand()
    {
        var oneToMany = Spec("first-step", "lstm", true);
        const int Dim = 3;
        var manyToMany = Compilation.Create(new SourceText("m.yaml",
            $"model:\n  inputs:\n    x: {{ size: {C + Dim} }}\n  layers:\n    - rnn: {{ cell: lstm, hidden: 4 }}\n    - dense: {{ units: {O} }}\n"));
        var weights = Weights(oneToMany);
        var table = weights["embed.weight"].Data;                              // [O, Dim]
        const int T = 3, B = 2;
        double[] condition = [0.5, -1, 0.25, 1, 0.3, -0.6];
        double[] feedback = [2, 2, 4, 1, 0, 3];
        var x = new double[T * B * (C + Dim)];
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
            {
                int row = (t * B + b) * (C + Dim);
                if (t == 0) for (int i = 0; i < C; i++) x[row + i] = condition[b * C + i];
                for (int i = 0; i < Dim; i++) x[row + C + i] = table[(int)feedback[t * B + b] * Dim + i];
            }
        var referenceWeights = weights.Where(p => p.Key != "embed.weight").ToDictionary(p => p.Key, p => p.Value);

        var got = ModelEvaluator<double>.Evaluate(oneToMany, weights, new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([B, C], condition),
            ["feedback"] = new([T, B], feedback),
        });
        var expected = ModelEvaluator<double>.Evaluate(manyToMany, referenceWeights, new Dictionary<string, HostArray<double>> { ["x"] = new([T, B, C + Dim], x) });
        for (int i = 0; i < expected["y"].Data.Length; i++) Assert.Equal(expected["y"].Data[i], got["y"].Data[i], 12);
        for (int i = 0; i < expected["c_n"].Data.Length; i++) Assert.Equal(expected["c_n"].Data[i], got["c_n"].Data[i], 12);
    }

    [Fact]
    public void State_condition_equals_a_many_to_many_model_started_from_tanh_of_the_condition()
    {
        var oneToMany = Spec("state", "gru", false, ", layers: 2");
        var manyToMany = Compilation.Create(new SourceText("m.yaml",
            $"model:\n  inputs:\n    x: {{ size: {O} }}\n  layers:\n    - rnn: {{ cell: gru, hidden: 4, layers: 2 }}\n    - dense: {{ units: {O} }}\n"));
        var weights = Weights(oneToMany);
        const int T = 3, B = 2, H = 4;
        double[] condition = [0.5, -1, 0.25, 1, 0.3, -0.6];
        double[] feedback = [2, 2, 4, 1, 0, 3];
        var x = new double[T * B * O];
        for (int i = 0; i < T * B; i++) x[i * O + (int)feedback[i]] = 1;
        // h0[k, b] = tanh(W[kH..(k+1)H] c_b + bias[kH..(k+1)H]), written out.
        var w = weights["rnn.condition.weight"].Data;
        var bias = weights["rnn.condition.bias"].Data;
        var h0 = new double[2 * B * H];
        for (int k = 0; k < 2; k++)
            for (int b = 0; b < B; b++)
                for (int j = 0; j < H; j++)
                {
                    int row = k * H + j;
                    double sum = bias[row];
                    for (int i = 0; i < C; i++) sum += w[row * C + i] * condition[b * C + i];
                    h0[(k * B + b) * H + j] = Math.Tanh(sum);
                }
        var referenceWeights = weights.Where(p => !p.Key.Contains("condition")).ToDictionary(p => p.Key, p => p.Value);

        var got = ModelEvaluator<double>.Evaluate(oneToMany, weights, new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([B, C], condition),
            ["feedback"] = new([T, B], feedback),
        });
        var expected = ModelEvaluator<double>.Evaluate(manyToMany, referenceWeights, new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([T, B, O], x),
            ["h0"] = new([2, B, H], h0),
        });
        for (int i = 0; i < expected["y"].Data.Length; i++) Assert.Equal(expected["y"].Data[i], got["y"].Data[i], 12);
    }

    [Theory]
    [InlineData("first-step", "gru", false)]
    [InlineData("first-step", "lstm", true)]
    [InlineData("state", "lstm", false)]
    [InlineData("state", "gru", true)]
    public void A_padded_sequence_generates_like_the_same_sequence_cut_to_its_length(string condition, string cell, bool embed)
    {
        var c = Spec(condition, cell, embed);
        var weights = Weights(c);
        double[] cond = [0.5, -1, 0.25, 1, 0.3, -0.6];
        double[] feedback = [2, 2, 4, 1, 0, 3, 3, 4, 1, 1];                     // [T=5, B=2]; sequence 1 has length 3
        var padded = ModelEvaluator<double>.Evaluate(c, weights, new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([2, C], cond),
            ["feedback"] = new([5, 2], feedback),
            ["lengths"] = new([2], [5, 3]),
        });
        var alone = ModelEvaluator<double>.Evaluate(c, weights, new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([1, C], cond[C..]),
            ["feedback"] = new([3, 1], [feedback[1], feedback[3], feedback[5]]),
        });

        var y = padded["y"].Data;
        for (int t = 0; t < 5; t++)
            for (int o = 0; o < O; o++)
            {
                double want = t < 3 ? alone["y"].Data[t * O + o] : 0;
                Assert.Equal(want, y[(t * 2 + 1) * O + o], 10);
            }
        // h_n [1, B, H]: sequence 1's final state is the cut sequence's.
        for (int j = 0; j < 4; j++) Assert.Equal(alone["h_n"].Data[j], padded["h_n"].Data[4 + j], 10);
    }

    [Fact]
    public void Eval_shapes_and_errors()
    {
        var c = Spec("state", "gru", false);
        var weights = Weights(c);
        Dictionary<string, HostArray<double>> Inputs(params (string Name, HostArray<double> Value)[] extra)
        {
            var inputs = new Dictionary<string, HostArray<double>>
            {
                ["x"] = new([2, C], new double[2 * C]),
                ["feedback"] = new([4, 2], [2, 2, 1, 1, 4, 4, 0, 3]),
                ["dy"] = new([4, 2, O], new double[4 * 2 * O]),
            };
            foreach (var (name, value) in extra) inputs[name] = value;
            return inputs;
        }
        string Error(Dictionary<string, HostArray<double>> inputs) =>
            Assert.Throws<EvalException>(() => ModelEvaluator<double>.Evaluate(c, weights, inputs)).Message;

        var outputs = ModelEvaluator<double>.Evaluate(c, weights, Inputs());
        Assert.Equal([4, 2, O], outputs["y"].Shape);
        Assert.Equal([2, C], outputs["grad.x"].Shape);
        Assert.Equal([1, 2, 4], outputs["h_n"].Shape);
        Assert.DoesNotContain("grad.feedback", outputs.Keys);

        var noFeedback = Inputs();
        noFeedback.Remove("feedback");
        Assert.Equal("inputs: missing tensor 'feedback' of shape [T,B] token ids in [0,5): the token fed to each step (<bos>, then the previous output's)", Error(noFeedback));
        Assert.Equal("inputs: tensor 'x' has shape [2,4,3] but the one-to-many spec needs [B,3] with B >= 1 (one vector per sequence)",
            Error(Inputs(("x", new HostArray<double>([2, 4, 3], new double[24])))));
        Assert.Equal("inputs: tensor 'x' has shape [3,3] but 'feedback' has B=2, so it must be [2,3]",
            Error(Inputs(("x", new HostArray<double>([3, 3], new double[9])))));
        Assert.Equal("inputs: feedback holds 5 at flat index 1 but every fed-back token must be a whole number in [0,5)",
            Error(Inputs(("feedback", new HostArray<double>([4, 2], [2, 5, 1, 1, 4, 4, 0, 3])))));
        Assert.Equal("inputs: unexpected tensor 'h0': with 'condition: state' the condition sets the initial states of layer 'rnn'; remove it",
            Error(Inputs(("h0", new HostArray<double>([1, 2, 4], new double[8])))));
        Assert.Equal("inputs: tensor 'dy' has shape [2,5] but must be [4,2,5]", Error(Inputs(("dy", new HostArray<double>([2, O], new double[10])))));
    }

    [Fact]
    public void First_step_models_take_initial_states()
    {
        var c = Spec("first-step", "gru", false);
        var weights = Weights(c);
        var inputs = new Dictionary<string, HostArray<double>>
        {
            ["x"] = new([1, C], [1, 0, 0]),
            ["feedback"] = new([2, 1], [2, 4]),
        };
        var fromZero = ModelEvaluator<double>.Evaluate(c, weights, inputs)["y"].Data;
        inputs["h0"] = new([1, 1, 4], [0.5, -0.5, 0.25, 0.9]);
        var fromGiven = ModelEvaluator<double>.Evaluate(c, weights, inputs)["y"].Data;
        Assert.NotEqual(fromZero[0], fromGiven[0]);
    }
}
