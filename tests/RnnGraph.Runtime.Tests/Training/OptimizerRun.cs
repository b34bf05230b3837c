using System.Text.Json;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Tests.Training;

/// <summary>One optimizer case: initial parameters, the gradients of every step, and PyTorch's parameters after every step.</summary>
internal sealed class OptimizerRun
{
    private readonly Dictionary<string, TensorValue> tensors;

    public OptimizerRun(string name)
    {
        Case = OptimizerGolden.Case("optimizers", name);
        Name = name;
        tensors = SafeTensors.Read(Path.Combine(OptimizerGolden.Root, Case.GetProperty("file").GetString()!));
        Steps = Case.GetProperty("steps").GetInt32();
        Parameters = [.. Case.GetProperty("parameters").EnumerateArray()
            .Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray()))];
    }

    public string Name { get; }
    public JsonElement Case { get; }
    public int Steps { get; }
    public (string Name, int[] Shape)[] Parameters { get; }
    public string OptimizerName => Case.GetProperty("optimizer").GetString()!;
    public bool IsLoop => Case.TryGetProperty("schedule", out _);

    public IOptimizer CreateOptimizer() => Optimizers.Create(OptimizerName, OptimizerGolden.Options(OptimizerName, Case.GetProperty("options")));

    public ParameterSet InitialParameters() =>
        new(Parameters.Select(p => new Parameter(p.Name, p.Shape, tensors[$"{p.Name}.initial"].ToFloatArray())));

    public void SetGradients(ParameterSet parameters, int step)
    {
        foreach (var parameter in parameters) Slice(tensors[$"{parameter.Name}.grad"], step).CopyTo(parameter.Grad);
    }

    public ReadOnlySpan<float> Expected(string parameter, int step) => Slice(tensors[$"{parameter}.expected"], step);

    public double TorchLearningRate(int step) => ((double[])tensors["lr"].Data)[step];

    public float? TorchTotalNorm(int step) => tensors.TryGetValue("total_norm", out var t) ? ((float[])t.Data)[step] : null;

    public IEnumerable<(string Key, float[] Value)> TorchFinalState() =>
        tensors.Where(t => t.Key.StartsWith("state.", StringComparison.Ordinal)).Select(t => (t.Key["state.".Length..], (float[])t.Value.Data));

    /// <summary>One training step as the generator took it: gradients, optional clipping, then the optimizer with the step's LR.</summary>
    public float? TakeStep(IOptimizer optimizer, ParameterSet parameters, int step)
    {
        SetGradients(parameters, step);
        float? totalNorm = null;
        double lr = TorchLearningRate(step);
        if (IsLoop)
        {
            var clip = Case.GetProperty("clip");
            if (clip.GetProperty("kind").GetString() == "value") GradientClipping.ClipByValue(parameters, clip.GetProperty("clip_value").GetDouble());
            else totalNorm = GradientClipping.ClipByNorm(parameters, clip.GetProperty("max_norm").GetDouble(), OptimizerGolden.NormType(clip));
            lr = OptimizerGolden.Schedule(Case.GetProperty("schedule")).At(step);
        }
        optimizer.Step(parameters, lr);
        return totalNorm;
    }

    private static ReadOnlySpan<float> Slice(TensorValue stacked, int step)
    {
        int length = stacked.ElementCount / stacked.Shape[0];
        return ((float[])stacked.Data).AsSpan(step * length, length);
    }
}
