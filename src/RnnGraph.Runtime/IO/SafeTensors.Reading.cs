using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace RnnGraph.Runtime.IO;

// Parsing and validating a header and turning raw bytes into arrays.
public static partial class SafeTensors
{
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
}
