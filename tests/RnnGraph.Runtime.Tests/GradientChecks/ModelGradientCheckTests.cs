using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.Evaluation;

namespace RnnGraph.Runtime.Tests.GradientChecks;

/// <summary>
/// Whole-model finite-difference checks (float64, central differences) of the compiled backward graph:
/// every built-in cell and two user cells, 1–3 layers, uni- and bidirectional, with and without bias.
/// </summary>
public sealed class ModelGradientCheckTests
{
    private const string UserCells = """
        cells:
          mgu:
            params:
              weight_ih: [2*hidden, input]
              weight_hh: [hidden, hidden]
              weight_fh: [hidden, hidden]
              bias_ih: [2*hidden]
              bias_hh: [hidden]
            state: [h]
            equations: |
              xf, xn = chunk(weight_ih @ x + bias_ih, 2)
              f = sigmoid(xf + weight_fh @ h[t-1])
              n = tanh(xn + weight_hh @ (f * h[t-1]) + bias_hh)
              h = (1 - f) * h[t-1] + f * n
            output: h
          leaky:
            params:
              weight_ih: [hidden, input]
              weight_hh: [hidden, hidden]
              weight_m: [hidden, 2*hidden]
              bias: [hidden]
            state: [h, m]
            equations: |
              a = weight_ih @ x + weight_hh @ h[t-1] + bias
              m = 0.5 * m[t-1] + softmax(a) / (1 + exp(-relu(a)))
              h = tanh(weight_m @ concat(m, -h[t-1])) - log(1 + sigmoid(a)) / 2
            output: h
        """;

    public static TheoryData<string, int, bool, bool> Configurations()
    {
        var data = new TheoryData<string, int, bool, bool>();
        string[] cells = ["rnn_tanh", "rnn_relu", "gru", "gru reset_after: false", "lstm", "lstm peepholes: true", "mgu", "leaky"];
        foreach (var cell in cells)
            foreach (int layers in new[] { 1, 2, 3 })
                foreach (bool bidirectional in new[] { false, true })
                    foreach (bool bias in new[] { false, true })
                        data.Add(cell, layers, bidirectional, bias);
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Backward_graph_matches_central_differences(string cell, int layers, bool bidirectional, bool bias)
    {
        string[] parts = cell.Split(' ', 2);
        string option = parts.Length > 1 ? ", " + parts[1] : "";
        string bi = bidirectional ? "true" : "false", withBias = bias ? "true" : "false";
        string spec = $$"""
            {{UserCells}}
            model:
              inputs:
                x: { size: 3 }
              layers:
                - rnn: { cell: {{parts[0]}}, hidden: 4, layers: {{layers}}, bidirectional: {{bi}}, bias: {{withBias}}{{option}} }
                - dense: { units: 2, activation: softmax }
            """;
        var compilation = Compilation.Create(new SourceText("gradcheck.yaml", spec));
        compilation.VerifyEachPass = true;
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));

        var report = GradientChecker.Run(compilation, new GradientCheckOptions(Steps: 3, Batch: 2, MaxElementsPerTensor: 12));

        int expectedTensors = compilation.Model!.Parameters.Count + 1 + compilation.Model.RnnLayers.Single().States.Count;
        Assert.Equal(expectedTensors, report.Entries.Count);
        Assert.All(report.Entries, e => Assert.True(e.Checked > 0));
        Assert.True(report.Passed, string.Join("\n", report.Entries.Where(e => e.WorstRelativeError > report.Tolerance)
            .Select(e => $"{e.Name}: worst relative error {e.WorstRelativeError:e2}")));
    }

    [Fact]
    public void A_wrong_gradient_is_caught()
    {
        // The checker must be able to fail: perturbing the analytic side is not possible from outside,
        // so check instead that a tolerance below the float64 noise floor reports a failure.
        var compilation = Compilation.Create(new SourceText("g.yaml", "model:\n  inputs:\n    x: { size: 2 }\n  layers:\n    - rnn: { cell: gru, hidden: 3 }\n"));
        var report = GradientChecker.Run(compilation, new GradientCheckOptions(Tolerance: 1e-300));
        Assert.False(report.Passed);
        Assert.True(report.WorstRelativeError > 0);
    }
}
