using System.Globalization;
using System.Text.Json.Serialization;

namespace RnnGraph.Bench;

/// <summary>One benchmark configuration of scripts/bench/configs.json, shared with the PyTorch script.</summary>
public sealed record RecurrentConfig(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("cell")] string Cell,
    [property: JsonPropertyName("input")] int Input,
    [property: JsonPropertyName("hidden")] int Hidden,
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("layers")] int Layers,
    [property: JsonPropertyName("bidirectional")] bool Bidirectional,
    [property: JsonPropertyName("outputs")] int Outputs,
    [property: JsonPropertyName("modes")] string[] Modes)
{
    /// <summary>The model as spec text: the recurrent layer and a dense head applied at every step.</summary>
    public string ToSpec() => string.Create(CultureInfo.InvariantCulture, $$"""
        model:
          inputs:
            x: { size: {{Input}} }
          layers:
            - rnn: { cell: {{Cell}}, hidden: {{Hidden}}, layers: {{Layers}}, bidirectional: {{(Bidirectional ? "true" : "false")}} }
            - dense: { units: {{Outputs}} }
        """);
}
