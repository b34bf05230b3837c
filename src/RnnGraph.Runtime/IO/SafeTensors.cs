using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace RnnGraph.Runtime.IO;

/// <summary>Reads and writes the safetensors format (the CONTRACT checkpoint and eval IO format).</summary>
/// <remarks>
/// Layout: an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
/// <c>{"__metadata__":{..},"name":{"dtype":"F32","shape":[..],"data_offsets":[begin,end]},..}</c>
/// with offsets relative to the data buffer that follows, then the raw little-endian data.
/// Writing puts tensors in ordinal name order, contiguous, with the header padded by spaces
/// to a multiple of 8. Reading trusts nothing: every inconsistency is a <see cref="SafeTensorsException"/>.
/// </remarks>
public static class SafeTensors
{
    /// <summary>Headers longer than this are refused before anything is allocated for them.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private const string MetadataKey = "__metadata__";

    /// <summary>Reads every tensor of a safetensors file.</summary>
    public static Dictionary<string, TensorValue> Read(string path) => Read(path, out _);

    /// <summary>Reads every tensor of a safetensors file and its <c>__metadata__</c> (empty when absent).</summary>
    public static Dictionary<string, TensorValue> Read(string path, out Dictionary<string, string> metadata)
    {
        byte[] bytes;
        try
        {
            // File.ReadAllBytes fails on files beyond an array's reach with an obscure message; say it plainly.
            long length = new FileInfo(path).Length;
            if (length > Array.MaxLength)
                throw new SafeTensorsException($"{path}: the file is {length} bytes; files over {Array.MaxLength} bytes are not supported");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SafeTensorsException($"{path}: cannot read the file: {OneLine(e.Message)}", e);
        }
        return ReadBytes(bytes, out metadata, path);
    }

    /// <summary>Reads every tensor of an in-memory safetensors image; <paramref name="source"/> names it in errors.</summary>
    public static Dictionary<string, TensorValue> ReadBytes(ReadOnlySpan<byte> bytes, string source = "<bytes>") =>
        ReadBytes(bytes, out _, source);

    /// <summary>Reads every tensor and the <c>__metadata__</c> of an in-memory safetensors image.</summary>
    public static Dictionary<string, TensorValue> ReadBytes(ReadOnlySpan<byte> bytes, out Dictionary<string, string> metadata, string source = "<bytes>")
    {
        if (bytes.Length < 8)
            throw Error(source, $"the file is {bytes.Length} bytes, too short for the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes)
            throw Error(source, $"header length {headerLength} is absurd (the limit is {MaxHeaderBytes} bytes); is this a safetensors file?");
        if (headerLength > (ulong)(bytes.Length - 8))
            throw Error(source, $"header length {headerLength} runs past the end of the file ({bytes.Length} bytes)");

        var headerBytes = bytes.Slice(8, (int)headerLength);
        var buffer = bytes[(8 + (int)headerLength)..];
        var entries = ParseHeader(headerBytes, buffer.Length, source, out metadata);
        CheckLayout(entries, buffer.Length, source);

        var tensors = new Dictionary<string, TensorValue>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var raw = buffer[(int)entry.Begin..(int)entry.End];
            tensors.Add(entry.Name, new TensorValue(entry.DType, entry.Shape, ToArray(raw, entry, source)));
        }
        return tensors;
    }

    /// <summary>Writes tensors to <paramref name="path"/> atomically: a temporary file in the same directory, then a rename over the target.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, TensorValue> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = Order(tensors, path);
        byte[] header = BuildHeader(ordered, metadata);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        // Same directory so the final File.Move is a rename on one file system, never a copy
        // that a crash could leave half-written.
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(header);
                foreach (var (_, tensor) in ordered)
                    WriteData(stream, tensor);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Serializes tensors to an in-memory safetensors image with the same layout as <see cref="Write"/>.</summary>
    public static byte[] WriteBytes(IReadOnlyDictionary<string, TensorValue> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = Order(tensors, "<bytes>");
        byte[] header = BuildHeader(ordered, metadata);
        long total = header.Length + ordered.Sum(t => (long)t.Value.ElementCount * t.Value.DType.ItemSize());
        if (total > Array.MaxLength)
            throw new SafeTensorsException($"<bytes>: {total} bytes do not fit in one array; write to a file instead");
        using var memory = new MemoryStream((int)total);
        memory.Write(header);
        foreach (var (_, tensor) in ordered)
            WriteData(memory, tensor);
        return memory.ToArray();
    }

    // ---- reading ----------------------------------------------------------------------

    /// <summary>One tensor's header entry after validation.</summary>
    private sealed record Entry(string Name, DType DType, int[] Shape, long Begin, long End);

    private static List<Entry> ParseHeader(ReadOnlySpan<byte> header, long bufferLength, string source, out Dictionary<string, string> metadata)
    {
        // System.Text.Json checks UTF-8 only in the tokens it decodes; check the whole header up front.
        if (!Utf8.IsValid(header))
            throw Error(source, "the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header.ToArray());
        }
        catch (JsonException e)
        {
            throw Error(source, $"the header is not valid JSON: {OneLine(e.Message)}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Error(source, $"the header is a JSON {Kind(document.RootElement)}, not an object");

            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (sawMetadata)
                        throw Error(source, "__metadata__ appears twice");
                    sawMetadata = true;
                    ParseMetadata(property.Value, metadata, source);
                    continue;
                }
                // JsonDocument keeps duplicate keys; a second entry would silently shadow the first.
                if (!names.Add(property.Name))
                    throw Error(source, $"tensor {Quote(property.Name)} is declared twice");
                entries.Add(ParseEntry(property.Name, property.Value, bufferLength, source));
            }
            return entries;
        }
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Error(source, $"__metadata__ is a JSON {Kind(value)}, not an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Error(source, $"__metadata__ value {Quote(item.Name)} is a JSON {Kind(item.Value)}, not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Error(source, $"__metadata__ key {Quote(item.Name)} appears twice");
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, long bufferLength, string source)
    {
        string what = $"tensor {Quote(name)}";
        if (value.ValueKind != JsonValueKind.Object)
            throw Error(source, $"{what} is a JSON {Kind(value)}, not an object with dtype, shape and data_offsets");

        JsonElement? dtypeElement = null, shapeElement = null, offsetsElement = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeElement;
            switch (field.Name)
            {
                case "dtype": slot = ref dtypeElement; break;
                case "shape": slot = ref shapeElement; break;
                case "data_offsets": slot = ref offsetsElement; break;
                default: throw Error(source, $"{what} has unknown key {Quote(field.Name)} (expected dtype, shape, data_offsets)");
            }
            if (slot.HasValue)
                throw Error(source, $"{what} has key {Quote(field.Name)} twice");
            slot = field.Value;
        }
        if (dtypeElement is not { } dtypeJson)
            throw Error(source, $"{what} has no dtype");
        if (shapeElement is not { } shapeJson)
            throw Error(source, $"{what} has no shape");
        if (offsetsElement is not { } offsetsJson)
            throw Error(source, $"{what} has no data_offsets");

        if (dtypeJson.ValueKind != JsonValueKind.String)
            throw Error(source, $"{what} has a dtype that is a JSON {Kind(dtypeJson)}, not a string");
        string dtypeName = dtypeJson.GetString()!;
        if (!DTypes.TryParse(dtypeName, out var dtype))
            throw Error(source, $"{what} has unknown dtype {Quote(dtypeName)} (supported: {string.Join(", ", Enum.GetValues<DType>().Select(d => d.Name()))})");

        var shape = ReadIntegers(shapeJson, what, "shape", source);
        var dims = new int[shape.Length];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0 || shape[i] > int.MaxValue)
                throw Error(source, $"{what} has dimension {shape[i]} in shape {FormatLongs(shape)}");
            dims[i] = (int)shape[i];
            // count stays <= Array.MaxLength before each product, so the product cannot overflow a long.
            count *= dims[i];
            if (count > Array.MaxLength)
                throw Error(source, $"{what} has shape {FormatLongs(shape)} with more elements than an array can hold");
        }

        var offsets = ReadIntegers(offsetsJson, what, "data_offsets", source);
        if (offsets.Length != 2)
            throw Error(source, $"{what} has data_offsets {FormatLongs(offsets)}; expected [begin,end]");
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin)
            throw Error(source, $"{what} has data_offsets [{begin},{end}]; expected 0 <= begin <= end");
        if (end > bufferLength)
            throw Error(source, $"{what} has data_offsets [{begin},{end}] beyond the data buffer ({bufferLength} bytes)");
        long needed = count * dtype.ItemSize();
        if (end - begin != needed)
            throw Error(source, $"{what} has data_offsets [{begin},{end}] but shape {TensorValue.FormatShape(dims)} {dtype.Name()} needs {needed} bytes");
        return new Entry(name, dtype, dims, begin, end);
    }

    private static long[] ReadIntegers(JsonElement element, string what, string key, string source)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw Error(source, $"{what} has a {key} that is a JSON {Kind(element)}, not an array of integers");
        var values = new long[element.GetArrayLength()];
        int i = 0;
        foreach (var item in element.EnumerateArray())
        {
            // TryGetInt64 refuses fractions, exponents and values beyond a long, which is what we want.
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i]))
                throw Error(source, $"{what} has {key} element {Describe(item)}, not an integer");
            i++;
        }
        return values;
    }

    /// <summary>Tensors must tile the data buffer exactly: no overlaps, no holes, no trailing bytes (as the reference implementation requires).</summary>
    private static void CheckLayout(List<Entry> entries, long bufferLength, string source)
    {
        // Empty tensors occupy no bytes, so they cannot overlap or leave holes.
        var ordered = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long position = 0;
        Entry? previous = null;
        foreach (var entry in ordered)
        {
            if (entry.Begin < position)
                throw Error(source, $"tensor {Quote(entry.Name)} data_offsets [{entry.Begin},{entry.End}] overlap tensor {Quote(previous!.Name)} [{previous.Begin},{previous.End}]");
            if (entry.Begin > position)
                throw Error(source, $"data bytes [{position},{entry.Begin}) belong to no tensor");
            position = entry.End;
            previous = entry;
        }
        if (position != bufferLength)
            throw Error(source, $"data bytes [{position},{bufferLength}) after the last tensor belong to no tensor");
    }

    private static Array ToArray(ReadOnlySpan<byte> raw, Entry entry, string source)
    {
        int itemSize = entry.DType.ItemSize();
        var array = Array.CreateInstance(entry.DType.ElementType(), raw.Length / itemSize);
        if (entry.DType == DType.Bool)
        {
            // Any byte other than 0 or 1 would become a bool that is neither true nor false in .NET.
            int bad = raw.IndexOfAnyExcept((byte)0, (byte)1);
            if (bad >= 0)
                throw Error(source, $"tensor {Quote(entry.Name)} is BOOL but element {bad} is byte {raw[bad]}, not 0 or 1");
        }
        var target = RawSpan(array, itemSize);
        raw.CopyTo(target);
        if (!BitConverter.IsLittleEndian)
            SwapBytes(target, itemSize);
        return array;
    }

    // ---- writing ----------------------------------------------------------------------

    private static List<KeyValuePair<string, TensorValue>> Order(IReadOnlyDictionary<string, TensorValue> tensors, string target)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (name, tensor) in tensors)
        {
            if (name == MetadataKey)
                throw new SafeTensorsException($"{target}: '{MetadataKey}' is reserved and cannot name a tensor");
            if (tensor is null)
                throw new SafeTensorsException($"{target}: tensor {Quote(name)} is null");
        }
        return tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
    }

    private static byte[] BuildHeader(List<KeyValuePair<string, TensorValue>> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new ArrayBufferWriter<byte>();
        // The relaxed encoder keeps names such as "a+b" readable; the output is still valid JSON.
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is not null)
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                    writer.WriteString(key, value ?? throw new SafeTensorsException($"metadata value {Quote(key)} is null"));
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in ordered)
            {
                long size = (long)tensor.ElementCount * tensor.DType.ItemSize();
                writer.WriteStartObject(name);
                writer.WriteString("dtype", tensor.DType.Name());
                writer.WriteStartArray("shape");
                foreach (int dim in tensor.Shape)
                    writer.WriteNumberValue(dim);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + size);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += size;
            }
            writer.WriteEndObject();
        }
        // Padding the header to a multiple of 8 keeps the data buffer 8-byte aligned in the file.
        int padded = (json.WrittenCount + 7) / 8 * 8;
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        json.WrittenSpan.CopyTo(header.AsSpan(8));
        header.AsSpan(8 + json.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteData(Stream stream, TensorValue tensor)
    {
        int itemSize = tensor.DType.ItemSize();
        var bytes = RawSpan(tensor.Data, itemSize);
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(bytes);
            return;
        }
        var copy = bytes.ToArray();
        SwapBytes(copy, itemSize);
        stream.Write(copy);
    }

    // ---- helpers ----------------------------------------------------------------------

    /// <summary>The bytes of a one-dimensional array of an unmanaged element type.</summary>
    private static Span<byte> RawSpan(Array array, int itemSize) =>
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), array.Length * itemSize);

    /// <summary>Converts between little-endian file order and host order on big-endian hosts.</summary>
    private static void SwapBytes(Span<byte> bytes, int itemSize)
    {
        switch (itemSize)
        {
            case 2: var u16 = MemoryMarshal.Cast<byte, ushort>(bytes); BinaryPrimitives.ReverseEndianness(u16, u16); break;
            case 4: var u32 = MemoryMarshal.Cast<byte, uint>(bytes); BinaryPrimitives.ReverseEndianness(u32, u32); break;
            case 8: var u64 = MemoryMarshal.Cast<byte, ulong>(bytes); BinaryPrimitives.ReverseEndianness(u64, u64); break;
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString(),
    };

    /// <summary>Quotes a name from a file for a message, escaping control characters so the message stays on one line.</summary>
    private static string Quote(string name)
    {
        var builder = new System.Text.StringBuilder("'");
        foreach (char c in name)
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return builder.Append('\'').ToString();
    }

    private static string Describe(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number ? element.GetRawText() : "a JSON " + Kind(element);

    private static string FormatLongs(long[] values) => "[" + string.Join(",", values) + "]";

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private static SafeTensorsException Error(string source, string problem) => new($"{source}: {problem}");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original exception matters more than a leftover temporary file.
        }
    }
}
