using System.Text;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Tests.IO;

/// <summary>Hostile and broken files: each must fail with a one-line SafeTensorsException naming the source and the problem.</summary>
public sealed class SafeTensorsValidationTests
{
    private const string Source = "weights.safetensors";

    /// <summary>An image with the given header text (unpadded) and data buffer.</summary>
    private static byte[] Image(string json, int dataBytes) => Image(Encoding.UTF8.GetBytes(json), dataBytes);

    private static byte[] Image(byte[] header, int dataBytes)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    private static string Fails(byte[] image)
    {
        var error = Assert.Throws<SafeTensorsException>(() => SafeTensors.ReadBytes(image, Source));
        Assert.StartsWith(Source + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        return error.Message;
    }

    private static string Entry(string dtype = "\"F32\"", string shape = "[2]", string offsets = "[0,8]") =>
        $"{{\"dtype\":{dtype},\"shape\":{shape},\"data_offsets\":{offsets}}}";

    [Fact]
    public void Valid_baseline_reads()
    {
        var tensors = SafeTensors.ReadBytes(Image($"{{\"t\":{Entry()}}}", 8), Source);
        Assert.Equal([0f, 0f], tensors["t"].ToFloatArray());
    }

    [Fact]
    public void Size_mismatch_message_names_the_tensor_offsets_shape_and_needed_bytes()
    {
        string json = $"{{\"rnn.weight_ih_l0\":{Entry(shape: "[4,8]", offsets: "[0,96]")}}}";
        Assert.Equal(
            "weights.safetensors: tensor 'rnn.weight_ih_l0' has data_offsets [0,96] but shape [4,8] F32 needs 128 bytes",
            Fails(Image(json, 96)));
    }

    [Fact]
    public void File_shorter_than_the_length_prefix() => Assert.Contains("too short", Fails([1, 2, 3]));

    [Fact]
    public void Header_length_beyond_the_file()
    {
        var image = Image("{}", 0);
        image[0] = 200;
        Assert.Contains("runs past the end of the file", Fails(image));
    }

    [Fact]
    public void Absurd_header_length()
    {
        var image = Image("{}", 0);
        BitConverter.TryWriteBytes(image.AsSpan(0, 8), ulong.MaxValue);
        Assert.Contains("absurd", Fails(image));
    }

    [Fact]
    public void Header_not_utf8() => Assert.Contains("not valid UTF-8", Fails(Image([(byte)'{', 0xFF, 0xFE, (byte)'}'], 0)));

    [Theory]
    [InlineData("{\"t\":")]
    [InlineData("{\"t\":{},}")]
    [InlineData("")]
    [InlineData("{\"a\":1} trailing")]
    public void Header_not_json(string json) => Assert.Contains("not valid JSON", Fails(Image(json, 0)));

    [Theory]
    [InlineData("[]", "array")]
    [InlineData("\"x\"", "string")]
    [InlineData("{\"t\":[1,2]}", "tensor 't' is a JSON array")]
    public void Header_or_entry_of_the_wrong_kind(string json, string expected) => Assert.Contains(expected, Fails(Image(json, 0)));

    [Theory]
    [InlineData("{\"shape\":[2],\"data_offsets\":[0,8]}", "has no dtype")]
    [InlineData("{\"dtype\":\"F32\",\"data_offsets\":[0,8]}", "has no shape")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[2]}", "has no data_offsets")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}", "unknown key 'extra'")]
    [InlineData("{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "key 'dtype' twice")]
    public void Missing_unknown_or_repeated_keys(string entry, string expected) =>
        Assert.Contains(expected, Fails(Image($"{{\"t\":{entry}}}", 8)));

    [Theory]
    [InlineData("\"U16\"", "unknown dtype 'U16'")]
    [InlineData("\"f32\"", "unknown dtype 'f32'")]
    [InlineData("\"F8_E4M3\"", "unknown dtype 'F8_E4M3'")]
    [InlineData("4", "not a string")]
    public void Bad_dtype(string dtype, string expected) => Assert.Contains(expected, Fails(Image($"{{\"t\":{Entry(dtype: dtype)}}}", 8)));

    [Theory]
    [InlineData("[-2]", "dimension -2")]
    [InlineData("[2.5]", "element 2.5, not an integer")]
    [InlineData("[2e0]", "not an integer")]
    [InlineData("[\"2\"]", "a JSON string, not an integer")]
    [InlineData("[3000000000]", "dimension 3000000000")]
    [InlineData("[99999999999999999999999]", "not an integer")]
    [InlineData("[1073741824,1073741824,1073741824]", "more elements than an array can hold")]
    [InlineData("{\"n\":2}", "not an array of integers")]
    public void Bad_shape(string shape, string expected) => Assert.Contains(expected, Fails(Image($"{{\"t\":{Entry(shape: shape)}}}", 8)));

    [Theory]
    [InlineData("[0]", "expected [begin,end]")]
    [InlineData("[0,8,16]", "expected [begin,end]")]
    [InlineData("[-8,0]", "0 <= begin <= end")]
    [InlineData("[8,0]", "0 <= begin <= end")]
    [InlineData("[0,16]", "beyond the data buffer (8 bytes)")]
    [InlineData("[0,9223372036854775807]", "beyond the data buffer")]
    [InlineData("[0,4]", "needs 8 bytes")]
    [InlineData("[0,\"8\"]", "not an integer")]
    public void Bad_data_offsets(string offsets, string expected) =>
        Assert.Contains(expected, Fails(Image($"{{\"t\":{Entry(offsets: offsets)}}}", 8)));

    [Fact]
    public void Overlapping_tensors()
    {
        string json = $"{{\"a\":{Entry(offsets: "[0,8]")},\"b\":{Entry(shape: "[1]", offsets: "[4,8]")}}}";
        Assert.Contains("overlap tensor 'a'", Fails(Image(json, 8)));
    }

    [Fact]
    public void Hole_between_tensors()
    {
        string json = $"{{\"a\":{Entry(shape: "[1]", offsets: "[0,4]")},\"b\":{Entry(shape: "[1]", offsets: "[8,12]")}}}";
        Assert.Contains("data bytes [4,8) belong to no tensor", Fails(Image(json, 12)));
    }

    [Fact]
    public void Trailing_bytes_after_the_last_tensor() =>
        Assert.Contains("after the last tensor", Fails(Image($"{{\"t\":{Entry()}}}", 12)));

    [Fact]
    public void Empty_tensors_may_sit_anywhere()
    {
        string json = $"{{\"a\":{Entry()},\"e\":{Entry(shape: "[0,5]", offsets: "[4,4]")}}}";
        var tensors = SafeTensors.ReadBytes(Image(json, 8), Source);
        Assert.Equal([0, 5], tensors["e"].Shape);
    }

    [Fact]
    public void Duplicate_tensor_names()
    {
        string json = $"{{\"t\":{Entry(shape: "[1]", offsets: "[0,4]")},\"t\":{Entry(shape: "[1]", offsets: "[4,8]")}}}";
        Assert.Contains("tensor 't' is declared twice", Fails(Image(json, 8)));
    }

    [Theory]
    [InlineData("[]", "__metadata__ is a JSON array")]
    [InlineData("{\"a\":1}", "__metadata__ value 'a' is a JSON number")]
    [InlineData("{\"a\":\"x\",\"a\":\"y\"}", "__metadata__ key 'a' appears twice")]
    public void Bad_metadata(string metadata, string expected) =>
        Assert.Contains(expected, Fails(Image($"{{\"__metadata__\":{metadata}}}", 0)));

    [Fact]
    public void Bool_bytes_other_than_zero_and_one()
    {
        var image = Image($"{{\"t\":{Entry(dtype: "\"BOOL\"", shape: "[3]", offsets: "[0,3]")}}}", 3);
        image[^1] = 2;
        Assert.Contains("element 2 is byte 2", Fails(image));
    }

    [Fact]
    public void Control_characters_in_names_are_escaped_to_keep_one_line() =>
        Assert.Contains("tensor 'a\\u000ab' is a JSON number", Fails(Image("{\"a\\nb\":1}", 0)));

    [Fact]
    public void Missing_file_names_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.safetensors");
        var error = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(path));
        Assert.StartsWith(path + ": cannot read the file", error.Message);
    }

    [Fact]
    public void Read_from_disk_names_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, Image("{\"t\":1}", 0));
        try
        {
            var error = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(path));
            Assert.StartsWith(path + ": tensor 't'", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Random_corruption_only_ever_raises_SafeTensorsException()
    {
        var valid = SafeTensors.WriteBytes(new Dictionary<string, TensorValue>
        {
            ["rnn.weight_ih_l0"] = TensorValue.FromFloat(new float[12], 4, 3),
            ["rnn.bias_ih_l0"] = TensorValue.FromDouble(new double[4], 4),
            ["ids"] = TensorValue.FromInt64([1, 2], 2),
            ["mask"] = new TensorValue(DType.Bool, [2], new[] { true, false }),
        }, new Dictionary<string, string> { ["m"] = "v" });
        var random = new Random(1234);
        for (int trial = 0; trial < 5000; trial++)
        {
            var image = (byte[])valid.Clone();
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
                image[random.Next(image.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0)
                image = image[..random.Next(image.Length)];
            try
            {
                SafeTensors.ReadBytes(image, Source);
            }
            catch (SafeTensorsException error)
            {
                Assert.StartsWith(Source + ": ", error.Message);
                Assert.DoesNotContain('\n', error.Message);
            }
        }
    }
}
