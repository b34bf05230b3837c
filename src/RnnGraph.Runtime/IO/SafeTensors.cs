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
public static partial class SafeTensors
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
