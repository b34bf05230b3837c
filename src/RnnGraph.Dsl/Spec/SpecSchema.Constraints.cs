using System.Text.Json.Nodes;

namespace RnnGraph.Dsl.Spec;

// The constraints between the keys of one mapping that the readers check, as far as draft-07 can say them
// (checks across sections, such as training.teacher_forcing against model.topology, remain rnngraph check's).
public static partial class SpecSchema
{
    private static void AddConstraints(string name, KeyTable keys, JsonObject mapping)
    {
        switch (name)
        {
            case "input":
                // Exactly one of size and vocab; one_hot only with vocab.
                mapping["oneOf"] = new JsonArray(RequiredOne(keys, "size"), RequiredOne(keys, "vocab"));
                mapping["dependencies"] = new JsonObject { [Key(keys, "one_hot")] = new JsonArray(Key(keys, "vocab")) };
                break;
            case "model":
                // encoder-decoder has encoder, decoder and max_output_length instead of layers; other topologies the reverse.
                mapping["if"] = Is(keys, "topology", SpecKeys.EncoderDecoder);
                mapping["then"] = new JsonObject
                {
                    ["required"] = Strings(new[] { "encoder", "decoder", "max_output_length" }.Select(k => Key(keys, k))),
                    ["not"] = RequiredOne(keys, "layers"),
                };
                mapping["else"] = new JsonObject
                {
                    ["required"] = new JsonArray(Key(keys, "layers")),
                    ["not"] = new JsonObject { ["anyOf"] = new JsonArray([.. SpecKeys.EncoderDecoderModelKeys.Select(k => (JsonNode)RequiredOne(keys, k))]) },
                };
                break;
            case "attention":
                mapping["dependencies"] = new JsonObject { [Key(keys, "units")] = Is(keys, "type", "additive") };
                break;
            case "data":
                // Exactly one of file and text; validation or validation_file; target_tokenizer only for pairs.
                mapping["oneOf"] = new JsonArray(RequiredOne(keys, "file"), RequiredOne(keys, "text"));
                mapping["not"] = new JsonObject { ["required"] = new JsonArray(Key(keys, "validation"), Key(keys, "validation_file")) };
                mapping["dependencies"] = new JsonObject { [Key(keys, "target_tokenizer")] = Is(keys, "format", "pairs") };
                break;
            case "training":
                // teacher_forcing_end exactly with a decaying schedule, and above 0 for an exponential one.
                mapping["dependencies"] = new JsonObject { [Key(keys, "teacher_forcing_end")] = Is(keys, "teacher_forcing_schedule", "linear", "exponential") };
                mapping["allOf"] = new JsonArray(
                    new JsonObject
                    {
                        ["if"] = Is(keys, "teacher_forcing_schedule", "linear", "exponential"),
                        ["then"] = RequiredOne(keys, "teacher_forcing_end"),
                    },
                    new JsonObject
                    {
                        ["if"] = Is(keys, "teacher_forcing_schedule", "exponential"),
                        ["then"] = new JsonObject
                        {
                            ["properties"] = new JsonObject { [Key(keys, "teacher_forcing_end")] = new JsonObject { ["exclusiveMinimum"] = 0 } },
                        },
                    });
                break;
            case "generation":
                mapping["dependencies"] = new JsonObject { [Key(keys, "length_penalty_alpha")] = Is(keys, "length_penalty", "gnmt") };
                break;
        }
    }

    /// <summary>A key named in a constraint, checked against its table so the constraint cannot drift either.</summary>
    private static string Key(KeyTable keys, string key) =>
        keys.Contains(key) ? key : throw new InvalidOperationException($"SpecSchema names key '{key}' that its table does not have");

    private static JsonObject RequiredOne(KeyTable keys, string key) => new() { ["required"] = new JsonArray(Key(keys, key)) };

    /// <summary>The mapping has <paramref name="key"/>, set to one of <paramref name="values"/>.</summary>
    private static JsonObject Is(KeyTable keys, string key, params string[] values) => new()
    {
        ["properties"] = new JsonObject
        {
            [Key(keys, key)] = values.Length == 1 ? new JsonObject { ["const"] = values[0] } : new JsonObject { ["enum"] = Strings(values) },
        },
        ["required"] = new JsonArray(key),
    };
}
