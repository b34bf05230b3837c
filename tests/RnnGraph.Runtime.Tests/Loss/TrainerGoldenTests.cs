using System.Text.Json;
using RnnGraph.Compiler;
using RnnGraph.Dsl.Text;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;
using RnnGraph.TestSupport;

namespace RnnGraph.Runtime.Tests.Loss;

/// <summary>
/// Whole training steps against PyTorch (tests/golden/train, scripts/golden/generate_train_golden.py):
/// embedding → LSTM/GRU → linear language models on padded batches, masked cross-entropy, clipping and
/// Adam or SGD with momentum. The loss of every step and the weights after the last must match.
/// </summary>
public sealed class TrainerGoldenTests
{
    [Theory]
    [InlineData("lstm_adam_clip")]
    [InlineData("gru_sgd_momentum")]
    public void Training_steps_match_pytorch(string name)
    {
        string dir = Path.Combine(RepoPaths.Golden, "train", name);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "case.json")));
        var c = config.RootElement;
        var compilation = Compilation.Create(SourceText.FromFile(Path.Combine(dir, "spec.yaml")));
        Assert.False(compilation.HasErrors, string.Join("\n", compilation.Diagnostics));

        var parameters = ParameterSet.FromTensors(SafeTensors.Read(Path.Combine(dir, "weights.safetensors")));
        var optimizer = c.GetProperty("optimizer").GetString() == "adam"
            ? Optimizers.Create("adam")
            : Optimizers.Create("sgd", new SgdOptions(Momentum: 0.9));
        double? clip = c.GetProperty("clip").ValueKind == JsonValueKind.Null ? null : c.GetProperty("clip").GetDouble();
        var trainer = new Trainer(compilation, parameters, optimizer, new TrainerOptions(ClipNorm: clip));
        var batches = SafeTensors.Read(Path.Combine(dir, "batches.safetensors"));
        var expected = SafeTensors.Read(Path.Combine(dir, "expected.safetensors"));
        var losses = expected["loss"].ToDoubleArray();

        double lr = c.GetProperty("lr").GetDouble();
        for (int k = 0; k < losses.Length; k++)
        {
            var x = batches[$"x_{k}"];
            var batch = new TrainingBatch(x.Shape[0], x.Shape[1],
                x.ToInt64Array().Select(v => (float)v).ToArray(),
                batches[$"target_{k}"].ToInt64Array().Select(v => (float)v).ToArray(),
                batches[$"lengths_{k}"].ToInt64Array().Select(v => (int)v).ToArray());
            double loss = trainer.Step(batch, lr);
            Assert.True(Math.Abs(loss - losses[k]) <= 1e-5 * Math.Abs(losses[k]), $"step {k}: loss {loss} but PyTorch {losses[k]}");
        }
        foreach (var p in parameters)
        {
            var reference = expected["final." + p.Name].ToDoubleArray();
            double scale = reference.Max(Math.Abs), worst = 0;
            for (int i = 0; i < reference.Length; i++) worst = Math.Max(worst, Math.Abs(p.Value[i] - reference[i]));
            Assert.True(worst <= 1e-5 + 1e-4 * scale, $"{p.Name}: max |got-ref| {worst:e2} after {losses.Length} steps");
        }
    }
}
