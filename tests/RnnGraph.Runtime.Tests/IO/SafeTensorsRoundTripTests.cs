using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Tests.IO;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rnngraph-io-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A tensor of each dtype with awkward values (extremes, signs, NaN) and an odd shape [3,1,2].</summary>
    public static TheoryData<DType> AllDTypes() => new(Enum.GetValues<DType>());

    private static TensorValue Sample(DType dtype)
    {
        int[] shape = [3, 1, 2];
        Array data = dtype switch
        {
            DType.F16 => new[] { (Half)1.5f, (Half)(-0.0f), Half.MaxValue, Half.Epsilon, Half.NaN, (Half)(-65504f) },
            // BF16 bits: 1.0, -2.0, +inf, smallest subnormal, NaN, 0.
            DType.BF16 => new ushort[] { 0x3F80, 0xC000, 0x7F80, 0x0001, 0x7FC0, 0x0000 },
            DType.F32 => new[] { 1.25f, -0f, float.MaxValue, float.Epsilon, float.NaN, -3.4e38f },
            DType.F64 => new[] { 1.25, -0.0, double.MaxValue, double.Epsilon, double.NaN, Math.PI },
            DType.I8 => new sbyte[] { sbyte.MinValue, -1, 0, 1, 42, sbyte.MaxValue },
            DType.I16 => new short[] { short.MinValue, -1, 0, 1, 300, short.MaxValue },
            DType.I32 => new[] { int.MinValue, -1, 0, 1, 70000, int.MaxValue },
            DType.I64 => new[] { long.MinValue, -1, 0, 1, 1L << 40, long.MaxValue },
            DType.U8 => new byte[] { 0, 1, 127, 128, 200, 255 },
            DType.Bool => new[] { true, false, false, true, true, false },
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
        return new TensorValue(dtype, shape, data);
    }

    private static void AssertSame(TensorValue expected, TensorValue actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.Data.GetType(), actual.Data.GetType());
        // Compare bit patterns so that NaN payloads and -0 must survive exactly.
        Assert.Equal(expected.Data.Cast<object>().Select(Bits), actual.Data.Cast<object>().Select(Bits));
    }

    private static string Bits(object value) => value switch
    {
        float f => BitConverter.SingleToInt32Bits(f).ToString("x8"),
        double d => BitConverter.DoubleToInt64Bits(d).ToString("x16"),
        Half h => BitConverter.HalfToInt16Bits(h).ToString("x4"),
        _ => value.ToString()!,
    };

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Each_dtype_round_trips_bit_exactly_in_memory(DType dtype)
    {
        var tensor = Sample(dtype);
        var bytes = SafeTensors.WriteBytes(new Dictionary<string, TensorValue> { ["t"] = tensor });
        var read = SafeTensors.ReadBytes(bytes);
        AssertSame(tensor, Assert.Single(read).Value);
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Each_dtype_round_trips_through_a_file(DType dtype)
    {
        string path = Path.Combine(_directory, "t.safetensors");
        var tensor = Sample(dtype);
        SafeTensors.Write(path, new Dictionary<string, TensorValue> { ["layer.weight"] = tensor });
        AssertSame(tensor, SafeTensors.Read(path)["layer.weight"]);
    }

    [Fact]
    public void Many_tensors_scalars_empty_tensors_and_metadata_round_trip()
    {
        var tensors = new Dictionary<string, TensorValue>
        {
            ["z.last"] = TensorValue.FromDouble([2.5], []),
            ["a.first"] = TensorValue.FromFloat([1, 2, 3, 4, 5, 6, 7], 7),
            ["empty"] = TensorValue.FromFloat([], 0, 3),
            ["ids"] = TensorValue.FromInt64([5, -7, 9], 3, 1),
            ["x+y ü"] = TensorValue.FromInt32([1], 1),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" };
        string path = Path.Combine(_directory, "many.safetensors");
        SafeTensors.Write(path, tensors, metadata);

        var read = SafeTensors.Read(path, out var readMetadata);
        Assert.Equal(tensors.Keys.Order(), read.Keys.Order());
        foreach (var (name, tensor) in tensors)
            AssertSame(tensor, read[name]);
        Assert.Equal(metadata, readMetadata);
        Assert.Equal(File.ReadAllBytes(path), SafeTensors.WriteBytes(tensors, metadata));
    }

    [Fact]
    public void Writing_is_atomic_and_overwrites_leaving_no_temporary_file()
    {
        string path = Path.Combine(_directory, "w.safetensors");
        File.WriteAllText(path, "old contents");
        SafeTensors.Write(path, new Dictionary<string, TensorValue> { ["v"] = TensorValue.FromFloat([3f], 1) });

        Assert.Equal(3f, SafeTensors.Read(path)["v"].ToFloatArray()[0]);
        Assert.Equal(["w.safetensors"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary_file()
    {
        string path = Path.Combine(_directory, "keep.safetensors");
        File.WriteAllText(path, "old contents");
        var bad = new Dictionary<string, TensorValue> { ["__metadata__"] = TensorValue.FromFloat([1f], 1) };

        var error = Assert.Throws<SafeTensorsException>(() => SafeTensors.Write(path, bad));
        Assert.Contains("reserved", error.Message);
        Assert.Equal("old contents", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Data_offsets_are_contiguous_in_name_order()
    {
        var bytes = SafeTensors.WriteBytes(new Dictionary<string, TensorValue>
        {
            ["b"] = TensorValue.FromDouble([1, 2], 2),
            ["a"] = TensorValue.FromHalf([(Half)1], 1),
        });
        string header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)BitConverter.ToUInt64(bytes, 0));
        Assert.Contains("\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}", header);
        Assert.Contains("\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[2,18]}", header);
        Assert.True(header.IndexOf("\"a\"", StringComparison.Ordinal) < header.IndexOf("\"b\"", StringComparison.Ordinal));
    }
}
