using System.Text;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Tests.IO;

/// <summary>
/// Every way <see cref="SafeTensors"/> refuses a file, with the exact message a user sees (issue 7: every rejection path
/// has a test asserting the exact message). <see cref="SafeTensorsValidationTests"/> covers more inputs per path.
/// </summary>
public sealed class SafeTensorsRejectionMessageTests
{
    private const string Source = "w.safetensors";

    private static byte[] Image(string json, int dataBytes)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    private static string Entry(string dtype = "\"F32\"", string shape = "[2]", string offsets = "[0,8]") =>
        $"{{\"dtype\":{dtype},\"shape\":{shape},\"data_offsets\":{offsets}}}";

    private static string Message(byte[] image) => Assert.Throws<SafeTensorsException>(() => SafeTensors.ReadBytes(image, Source)).Message;

    public static TheoryData<string, int, string> Headers() => new()
    {
        { "[]", 0, "the header is a JSON array, not an object" },
        { "{\"__metadata__\":{},\"__metadata__\":{}}", 0, "__metadata__ appears twice" },
        { $"{{\"t\":{Entry()},\"t\":{Entry()}}}", 8, "tensor 't' is declared twice" },
        { "{\"__metadata__\":[]}", 0, "__metadata__ is a JSON array, not an object of strings" },
        { "{\"__metadata__\":{\"a\":1}}", 0, "__metadata__ value 'a' is a JSON number, not a string" },
        { "{\"__metadata__\":{\"a\":\"x\",\"a\":\"y\"}}", 0, "__metadata__ key 'a' appears twice" },
        { "{\"t\":true}", 0, "tensor 't' is a JSON boolean, not an object with dtype, shape and data_offsets" },
        { "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8, "tensor 't' has unknown key 'x' (expected dtype, shape, data_offsets)" },
        { "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 't' has key 'shape' twice" },
        { "{\"t\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 't' has no dtype" },
        { "{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 't' has no shape" },
        { "{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 't' has no data_offsets" },
        { $"{{\"t\":{Entry(dtype: "7")}}}", 8, "tensor 't' has a dtype that is a JSON number, not a string" },
        { $"{{\"t\":{Entry(shape: "[-1]")}}}", 8, "tensor 't' has dimension -1 in shape [-1]" },
        { $"{{\"t\":{Entry(shape: "[1073741824,1073741824,1073741824]")}}}", 8, "tensor 't' has shape [1073741824,1073741824,1073741824] with more elements than an array can hold" },
        { $"{{\"t\":{Entry(offsets: "[0]")}}}", 8, "tensor 't' has data_offsets [0]; expected [begin,end]" },
        { $"{{\"t\":{Entry(offsets: "[8,0]")}}}", 8, "tensor 't' has data_offsets [8,0]; expected 0 <= begin <= end" },
        { $"{{\"t\":{Entry(offsets: "[0,16]")}}}", 8, "tensor 't' has data_offsets [0,16] beyond the data buffer (8 bytes)" },
        { $"{{\"t\":{Entry(offsets: "[0,4]")}}}", 4, "tensor 't' has data_offsets [0,4] but shape [2] F32 needs 8 bytes" },
        { $"{{\"t\":{Entry(shape: "{}")}}}", 8, "tensor 't' has a shape that is a JSON object, not an array of integers" },
        { $"{{\"t\":{Entry(shape: "[2.5]")}}}", 8, "tensor 't' has shape element 2.5, not an integer" },
        { $"{{\"a\":{Entry()},\"b\":{Entry(shape: "[1]", offsets: "[4,8]")}}}", 8, "tensor 'b' data_offsets [4,8] overlap tensor 'a' [0,8]" },
        { $"{{\"a\":{Entry(shape: "[1]", offsets: "[0,4]")},\"b\":{Entry(shape: "[1]", offsets: "[8,12]")}}}", 12, "data bytes [4,8) belong to no tensor" },
        { $"{{\"t\":{Entry()}}}", 12, "data bytes [8,12) after the last tensor belong to no tensor" },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void A_bad_header_is_refused_with_its_exact_message(string json, int dataBytes, string message) =>
        Assert.Equal($"{Source}: {message}", Message(Image(json, dataBytes)));

    [Fact]
    public void An_unknown_dtype_lists_the_supported_ones() =>
        Assert.Equal($"{Source}: tensor 't' has unknown dtype 'U16' (supported: F16, BF16, F32, F64, I8, I16, I32, I64, U8, BOOL)",
            Message(Image($"{{\"t\":{Entry(dtype: "\"U16\"")}}}", 8)));

    [Fact]
    public void Bool_bytes_other_than_zero_and_one_name_the_element()
    {
        var image = Image($"{{\"t\":{Entry(dtype: "\"BOOL\"", shape: "[3]", offsets: "[0,3]")}}}", 3);
        image[^2] = 7;
        Assert.Equal($"{Source}: tensor 't' is BOOL but element 1 is byte 7, not 0 or 1", Message(image));
    }

    [Fact]
    public void The_length_prefix_and_header_bounds_have_exact_messages()
    {
        Assert.Equal($"{Source}: the file is 3 bytes, too short for the 8-byte header length", Message([1, 2, 3]));
        var absurd = new byte[16];
        BitConverter.TryWriteBytes(absurd.AsSpan(0, 8), ulong.MaxValue);
        Assert.Equal($"{Source}: header length 18446744073709551615 is absurd (the limit is 104857600 bytes); is this a safetensors file?", Message(absurd));
        var past = new byte[16];
        BitConverter.TryWriteBytes(past.AsSpan(0, 8), 100UL);
        Assert.Equal($"{Source}: header length 100 runs past the end of the file (16 bytes)", Message(past));
        Assert.Equal($"{Source}: the header is not valid UTF-8", Message([2, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE]));
    }

    [Fact]
    public void Invalid_json_quotes_the_parser_on_one_line() =>
        Assert.StartsWith($"{Source}: the header is not valid JSON: ", Message(Image("{\"t\":", 0)));

    [Fact]
    public void A_file_larger_than_an_array_is_refused_before_it_is_read()
    {
        // A sparse file: its length is what the reader checks, so no disk space or memory is spent.
        string path = Path.Combine(Path.GetTempPath(), $"rnngraph-big-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var stream = File.Create(path)) stream.SetLength((long)Array.MaxLength + 1);
            Assert.Equal($"{path}: the file is {(long)Array.MaxLength + 1} bytes; files over {Array.MaxLength} bytes are not supported",
                Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
