using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace RnnGraph.Runtime.IO;

// Building a header and writing the data in order.
public static partial class SafeTensors
{
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
}
