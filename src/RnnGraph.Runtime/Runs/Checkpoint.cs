using System.Globalization;
using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Training;

namespace RnnGraph.Runtime.Runs;

/// <summary>
/// A run's state after a finished epoch, in one safetensors file (written atomically, so a killed run always
/// leaves the previous complete one): the weights under their CONTRACT names, the optimizer's state under
/// <c>optimizer.&lt;key&gt;</c>, and the epoch and optimizer step in the metadata.
/// </summary>
public sealed record Checkpoint(int Epoch, ParameterSet Parameters, OptimizerState Optimizer)
{
    public const string FileName = "checkpoint.safetensors";
    private const string Format = "rnngraph-checkpoint-1";
    private const string OptimizerPrefix = "optimizer.";

    public void Write(string folder)
    {
        var tensors = Parameters.ToTensors();
        foreach (var (key, value) in Optimizer.Tensors) tensors[OptimizerPrefix + key] = TensorValue.FromFloat(value, value.Length);
        SafeTensors.Write(Path.Combine(folder, FileName), tensors, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["optimizer_step"] = Optimizer.Step.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Reads a checkpoint into <paramref name="parameters"/> (which fixes the expected names and shapes).</summary>
    public static Checkpoint Read(string folder, ParameterSet parameters)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new RunException($"'{folder}' has no {FileName} to resume from");
        var tensors = SafeTensors.Read(path, out var metadata);
        if (metadata.GetValueOrDefault("format") != Format
            || !int.TryParse(metadata.GetValueOrDefault("epoch"), CultureInfo.InvariantCulture, out int epoch)
            || !long.TryParse(metadata.GetValueOrDefault("optimizer_step"), CultureInfo.InvariantCulture, out long step))
            throw new RunException($"{path} is not an rnngraph checkpoint (its metadata lacks format, epoch or optimizer_step)");
        foreach (var p in parameters)
        {
            if (!tensors.TryGetValue(p.Name, out var value) || !value.Shape.SequenceEqual(p.Shape))
                throw new RunException($"{path}: parameter '{p.Name}' is missing or has another shape than the spec's model");
            value.ToFloatArray().CopyTo(p.Value, 0);
        }
        var state = tensors.Where(t => t.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                           .ToDictionary(t => t.Key[OptimizerPrefix.Length..], t => t.Value.ToFloatArray());
        return new Checkpoint(epoch, parameters, new OptimizerState(step, state));
    }
}
