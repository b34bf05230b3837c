using System.Globalization;
using System.Text.Json.Nodes;
using RnnGraph.Dsl.Spec;
using RnnGraph.TestSupport;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Tests.Spec;

/// <summary>The JSON Schema of a spec: generated from SpecKeys, committed as docs/rnngraph.schema.json, and accepting the examples.</summary>
public class SpecSchemaTests
{
    private static readonly string SchemaPath = Path.Combine(RepoPaths.Root, "docs", "rnngraph.schema.json");

    [Fact]
    public void EveryKeyOfEveryTableHasASchemaType()
    {
        Assert.True(SpecSchema.UntypedKeys().Count == 0,
            "keys in SpecKeys without a type in SpecSchema.Types: " + string.Join(", ", SpecSchema.UntypedKeys()));
        Assert.True(SpecSchema.StaleTypes().Count == 0,
            "types in SpecSchema.Types for keys SpecKeys does not have: " + string.Join(", ", SpecSchema.StaleTypes()));
    }

    [Fact]
    public void EveryLayerKindHasATable()
    {
        foreach (var kind in SpecKeys.LayerKinds) Assert.Contains(SpecSchema.Tables, t => t.Name == kind);
    }

    [Fact]
    public void CommittedSchemaIsUpToDate()
    {
        string committed = File.Exists(SchemaPath) ? File.ReadAllText(SchemaPath).ReplaceLineEndings("\n") : "";
        Assert.True(committed == SpecSchema.Generate(),
            "docs/rnngraph.schema.json differs from SpecSchema.Generate(); regenerate it with: ./rnngraph schema > docs/rnngraph.schema.json");
    }

    [Fact]
    public void GenerateIsDeterministicWithUnixLineEnds()
    {
        string text = SpecSchema.Generate();
        Assert.Equal(text, SpecSchema.Generate());
        Assert.DoesNotContain("\r", text);
        Assert.EndsWith("}\n", text);
    }

    [Fact]
    public void EveryMappingTakesItsKeysFromSpecKeys()
    {
        var root = Schema();
        Assert.Equal("http://json-schema.org/draft-07/schema#", (string?)root["$schema"]);
        foreach (var (name, keys) in SpecSchema.Tables)
        {
            var mapping = name == "root" ? root : root["definitions"]![name]!.AsObject();
            Assert.False((bool)mapping["additionalProperties"]!);
            Assert.Equal(keys.All, mapping["properties"]!.AsObject().Select(p => p.Key));
            var required = mapping["required"]?.AsArray().Select(r => (string)r!) ?? [];
            Assert.Equal(keys.Required, required);
            foreach (var (key, type) in mapping["properties"]!.AsObject())
                Assert.True(type!["description"] is not null, $"{name}.{key} has no description");
        }
    }

    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Examples, "*.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(RepoPaths.Root, file).Replace('\\', '/'));
        data.Add("src/RnnGraph.Compiler/Cells/builtin-cells.yaml");
        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void SpecsConformToTheSchema(string relativePath)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(Path.Combine(RepoPaths.Root, relativePath))))
            stream.Load(reader);
        var root = Schema();
        var problems = new List<string>();
        Check(stream.Documents[0].RootNode, root, root, "", problems);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("model:\n  inputs: { x: { size: 4 } }\n  layers:\n    - rnn: { cell: lstm, hiden: 8 }\n", "/model/layers/0")]
    [InlineData("model:\n  inputs: { x: { size: 4 } }\n  layers:\n    - dense: { units: 3, activation: relu }\n", "/model/layers/0")]
    [InlineData("traning:\n  epochs: 3\n", "/traning")]
    [InlineData("training:\n  optimizer: adamm\n", "/training")]
    [InlineData("data:\n  file: a.txt\n  validation: 1\n", "/data")]
    [InlineData(EncoderDecoderModel + "  layers:\n    - dense: { units: 2 }\n", "/model")]
    [InlineData("model:\n  topology: encoder-decoder\n  inputs: { x: { size: 4 } }\n  encoder: [{ rnn: { cell: gru, hidden: 3 } }]\n", "/model")]
    [InlineData("model:\n  inputs: { x: { size: 4 } }\n  layers: [{ dense: { units: 2 } }]\n  bridge: copy\n", "/model")]
    [InlineData(EncoderDecoderModel + "  attention: { type: dot, units: 8 }\n", "/model/attention")]
    [InlineData(EncoderDecoderModel + "  attention: luong\n", "/model/attention")]
    [InlineData("data:\n  file: a.txt\n  validation: 0.1\n  validation_file: b.txt\n", "/data")]
    [InlineData("data:\n  file: a.txt\n  target_tokenizer: word\n", "/data")]
    [InlineData("training:\n  teacher_forcing: 1.5\n", "/training")]
    [InlineData("training:\n  teacher_forcing_end: 0.5\n", "/training")]
    [InlineData("training:\n  teacher_forcing_schedule: linear\n", "/training")]
    [InlineData("training:\n  teacher_forcing_schedule: exponential\n  teacher_forcing_end: 0\n", "/training")]
    [InlineData("generation:\n  length_penalty_alpha: 0.6\n", "/generation")]
    [InlineData("generation:\n  length_penalty: gnmt\n  length_penalty_alpha: -1\n", "/generation")]
    public void MistakesAreCaught(string yaml, string where)
    {
        var problems = Problems(yaml);
        Assert.Contains(problems, p => p.StartsWith(where, StringComparison.Ordinal));
    }

    private const string EncoderDecoderModel =
        "model:\n  topology: encoder-decoder\n  inputs: { x: { vocab: auto } }\n" +
        "  encoder: [{ embed: { dim: 4 } }, { rnn: { cell: gru, hidden: 3 } }]\n" +
        "  decoder: [{ rnn: { cell: gru, hidden: 3 } }, { dense: { units: auto } }]\n  max_output_length: 5\n";

    [Theory]
    [InlineData(EncoderDecoderModel + "  bridge: concat\n  attention: { type: additive, units: 8 }\n" +
        "data: { file: a.tsv, format: pairs, target_tokenizer: char, validation_file: b.tsv, test_file: c.tsv }\n" +
        "training: { teacher_forcing: 0.9, teacher_forcing_schedule: exponential, teacher_forcing_end: 0.1 }\n" +
        "generation: { beam_width: 4, length_penalty: gnmt, length_penalty_alpha: 0.6 }\n")]
    [InlineData(EncoderDecoderModel + "  attention: dot\ntraining: { teacher_forcing_schedule: linear, teacher_forcing_end: 0 }\n")]
    [InlineData(EncoderDecoderModel + "  attention: { type: general }\ngeneration: { length_penalty: average }\n")]
    public void EncoderDecoderSpecsConform(string yaml) => Assert.Empty(Problems(yaml));

    private static List<string> Problems(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = Schema();
        var problems = new List<string>();
        Check(stream.Documents[0].RootNode, root, root, "", problems);
        return problems;
    }

    private static JsonObject Schema() => JsonNode.Parse(SpecSchema.Generate())!.AsObject();

    /// <summary>
    /// A small validator for the keywords the schema uses (enough for tests, no package needed):
    /// $ref, allOf/anyOf/oneOf, not, if/then/else, type, properties, additionalProperties, required, dependencies,
    /// items, enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum.
    /// </summary>
    private static void Check(YamlNode node, JsonNode schemaNode, JsonObject root, string path, List<string> problems)
    {
        var schema = schemaNode.AsObject();
        if (schema["$ref"] is { } reference)
        {
            string name = ((string)reference!)["#/definitions/".Length..];
            Check(node, root["definitions"]![name]!, root, path, problems);
        }
        foreach (var sub in schema["allOf"]?.AsArray() ?? []) Check(node, sub!, root, path, problems);
        if (schema["anyOf"] is JsonArray anyOf && anyOf.Count(s => Passes(node, s!, root)) == 0)
            problems.Add($"{path}: matches none of anyOf");
        if (schema["oneOf"] is JsonArray oneOf && oneOf.Count(s => Passes(node, s!, root)) != 1)
            problems.Add($"{path}: does not match exactly one of oneOf");
        if (schema["not"] is { } not && Passes(node, not, root))
            problems.Add($"{path}: matches a schema it must not");
        if (schema["if"] is { } condition)
        {
            var branch = Passes(node, condition, root) ? schema["then"] : schema["else"];
            if (branch is not null) Check(node, branch, root, path, problems);
        }

        if (schema["type"] is { } type)
        {
            var types = type is JsonArray array ? array.Select(t => (string)t!).ToList() : [(string)type!];
            if (!types.Any(t => IsType(node, t))) { problems.Add($"{path}: not {string.Join(" or ", types)}"); return; }
        }
        if (schema["enum"] is JsonArray values && !values.Any(v => Scalar(node) == (string?)v))
            problems.Add($"{path}: '{Scalar(node)}' is not one of {values.ToJsonString()}");
        if (schema["const"] is { } constant && Scalar(node) != (string?)constant)
            problems.Add($"{path}: not '{constant}'");
        if (Number(node) is { } number)
        {
            if (schema["minimum"] is { } min && number < (double)min) problems.Add($"{path}: below {min}");
            if (schema["maximum"] is { } max && number > (double)max) problems.Add($"{path}: above {max}");
            if (schema["exclusiveMinimum"] is { } xmin && number <= (double)xmin) problems.Add($"{path}: not above {xmin}");
            if (schema["exclusiveMaximum"] is { } xmax && number >= (double)xmax) problems.Add($"{path}: not below {xmax}");
        }

        if (node is YamlMappingNode mapping)
        {
            var properties = schema["properties"]?.AsObject();
            foreach (var (keyNode, value) in mapping.Children)
            {
                string key = ((YamlScalarNode)keyNode).Value!;
                if (properties?[key] is { } property) Check(value, property, root, $"{path}/{key}", problems);
                else if (schema["additionalProperties"] is JsonObject additional) Check(value, additional, root, $"{path}/{key}", problems);
                else if (schema["additionalProperties"] is JsonValue allowed && !(bool)allowed) problems.Add($"{path}/{key}: unknown key");
            }
            foreach (var required in schema["required"]?.AsArray() ?? [])
            {
                if (!mapping.Children.ContainsKey(new YamlScalarNode((string)required!))) problems.Add($"{path}: missing '{required}'");
            }
            foreach (var (key, dependency) in schema["dependencies"]?.AsObject() ?? [])
            {
                if (!mapping.Children.ContainsKey(new YamlScalarNode(key))) continue;
                if (dependency is JsonArray keys)
                {
                    foreach (var needed in keys)
                        if (!mapping.Children.ContainsKey(new YamlScalarNode((string)needed!))) problems.Add($"{path}: '{key}' needs '{needed}'");
                }
                else if (!Passes(node, dependency!, root)) problems.Add($"{path}: '{key}' does not fit the rest of the mapping");
            }
        }
        if (node is YamlSequenceNode sequence && schema["items"] is { } items)
        {
            for (int i = 0; i < sequence.Children.Count; i++) Check(sequence.Children[i], items, root, $"{path}/{i}", problems);
        }
    }

    private static bool Passes(YamlNode node, JsonNode schema, JsonObject root)
    {
        var problems = new List<string>();
        Check(node, schema, root, "", problems);
        return problems.Count == 0;
    }

    private static string? Scalar(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value : null;

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: not (YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted), Value: null or "" or "~" or "null" };

    private static bool IsPlain(YamlNode node) =>
        node is YamlScalarNode { Style: not (YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted or YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded) };

    private static double? Number(YamlNode node) =>
        IsPlain(node) && double.TryParse(Scalar(node), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    private static bool IsType(YamlNode node, string type) => type switch
    {
        "object" => node is YamlMappingNode,
        "array" => node is YamlSequenceNode,
        "null" => IsNull(node),
        "boolean" => IsPlain(node) && Scalar(node) is "true" or "false",
        "integer" => IsPlain(node) && long.TryParse(Scalar(node), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        "number" => Number(node) is not null,
        "string" => node is YamlScalarNode && !(IsPlain(node) && (IsNull(node) || Number(node) is not null || Scalar(node) is "true" or "false")),
        _ => throw new ArgumentException($"unknown type '{type}'"),
    };
}
