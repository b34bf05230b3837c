using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RnnGraph.Runtime.Data;

// The vocabulary file: {"version": 1, "tokens": {"<pad>": 0, "<unk>": 1, ...}} in id order, the token → id
// object that GPT-2's vocab.json made familiar, plus a format version.
public sealed partial class Vocabulary
{
    /// <summary>The file format this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes the vocabulary as indented JSON, atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var json = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps "<pad>" and non-ASCII tokens readable in a diff; the output is still valid JSON.
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var writer = new Utf8JsonWriter(json, options))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteStartObject("tokens");
            for (int id = 0; id < _tokens.Length; id++)
                writer.WriteNumber(_tokens[id], id);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        json.Write("\n"u8);
        DataFiles.WriteAtomically(path, json.WrittenSpan);
    }

    /// <summary>Reads a file written by <see cref="Save"/>; any defect throws a <see cref="DataFileException"/> naming the file.</summary>
    public static Vocabulary Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataFiles.CannotRead(path, e);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            // The reader's message ends in " LineNumber: 0 | BytePositionInLine: 4."; the location goes in front instead.
            // Its column counts bytes, not chars: the same for ASCII, close enough to find the spot otherwise.
            string problem = e.Message.Split(" LineNumber:")[0].Split(" Path:")[0];
            int line = (int)(e.LineNumber ?? -1) + 1, column = (int)(e.BytePositionInLine ?? -1) + 1;
            throw new DataFileException(path, line, column, $"invalid JSON: {problem}", e);
        }
        using (document)
            return FromJson(document.RootElement, path);
    }

    private static Vocabulary FromJson(JsonElement root, string path)
    {
        DataFileException Fail(string problem) => new(path, problem);

        if (root.ValueKind != JsonValueKind.Object)
            throw Fail("expected a JSON object with 'version' and 'tokens'");
        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number)
            throw Fail($"missing the format version (\"version\": {FormatVersion})");
        if (!version.TryGetInt32(out int number) || number != FormatVersion)
            throw Fail($"vocabulary format version {version.GetRawText()} is not supported (this build reads version {FormatVersion})");
        // Other top-level properties are ignored so a newer writer can add optional fields without a version bump.
        if (!root.TryGetProperty("tokens", out var tokens) || tokens.ValueKind != JsonValueKind.Object)
            throw Fail("missing the \"tokens\" object (token → id)");

        var entries = tokens.EnumerateObject().ToList();
        var byId = new string?[entries.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            string token = DataFileException.Quote(entry.Name);
            if (!seen.Add(entry.Name))
                throw Fail($"token {token} appears twice");
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id))
                throw Fail($"token {token} has id {entry.Value.GetRawText()}, which is not an integer");
            if (id < 0 || id >= entries.Count)
                throw Fail($"token {token} has id {id}, outside 0..{entries.Count - 1} (ids number the {entries.Count} tokens from 0)");
            if (byId[id] is string other)
                throw Fail($"tokens {DataFileException.Quote(other)} and {token} both have id {id}");
            byId[id] = entry.Name;
        }
        for (int id = 0; id < SpecialTokens.Count; id++)
        {
            string special = SpecialTokens.All[id];
            if (id < byId.Length && byId[id] == special)
                continue;
            throw seen.Contains(special)
                ? Fail($"special token {special} must have id {id} but has id {Array.IndexOf(byId, special)}")
                : Fail($"special token {special} is missing (it must have id {id})");
        }
        return FromTokens(byId!);
    }
}
