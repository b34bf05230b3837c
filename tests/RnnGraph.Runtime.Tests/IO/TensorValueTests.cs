using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Tests.IO;

public sealed class TensorValueTests
{
    [Fact]
    public void Factories_set_dtype_shape_and_count()
    {
        var t = TensorValue.FromFloat([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal(DType.F32, t.DType);
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal(6, t.ElementCount);
        Assert.Equal("F32[2,3]", t.ToString());
        Assert.Equal(DType.F64, TensorValue.FromDouble([1], []).DType);
        Assert.Equal(DType.I32, TensorValue.FromInt32([1], 1).DType);
        Assert.Equal(DType.I64, TensorValue.FromInt64([1], 1, 1).DType);
        Assert.Equal(DType.F16, TensorValue.FromHalf([(Half)1], 1).DType);
    }

    [Fact]
    public void Shape_is_copied_from_the_caller()
    {
        int[] shape = [2];
        var t = TensorValue.FromFloat([1, 2], shape);
        shape[0] = 5;
        Assert.Equal([2], t.Shape);
    }

    [Fact]
    public void Data_length_must_match_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => TensorValue.FromFloat([1, 2, 3], 2, 2));
        Assert.Contains("shape [2,2] needs 4 elements but the data has 3", error.Message);
        Assert.Throws<ArgumentException>(() => TensorValue.FromFloat([1], -1));
        Assert.Throws<ArgumentException>(() => TensorValue.FromFloat([1, 2], []));
    }

    [Fact]
    public void Data_type_must_match_the_dtype()
    {
        var error = Assert.Throws<ArgumentException>(() => new TensorValue(DType.F32, [1], new double[1]));
        Assert.Contains("F32 tensor needs a Single[]", error.Message);
        Assert.Throws<ArgumentException>(() => new TensorValue(DType.I64, [2, 2], new long[2, 2]));
    }

    [Fact]
    public void Float_conversions_from_every_numeric_dtype()
    {
        Assert.Equal([1.5f, -2f], TensorValue.FromDouble([1.5, -2], 2).ToFloatArray());
        Assert.Equal([0.1], TensorValue.FromDouble([0.1], 1).ToDoubleArray());
        Assert.Equal([(double)0.1f], TensorValue.FromFloat([0.1f], 1).ToDoubleArray());
        Assert.Equal([0.5f, -3f], TensorValue.FromHalf([(Half)0.5, (Half)(-3)], 2).ToFloatArray());
        // bfloat16 0x3FC0 is 1.5 and 0xC080 is -4.
        Assert.Equal([1.5f, -4f], new TensorValue(DType.BF16, [2], new ushort[] { 0x3FC0, 0xC080 }).ToFloatArray());
        Assert.Equal([7f, -1f], TensorValue.FromInt64([7, -1], 2).ToFloatArray());
        Assert.Equal([1.0, 0.0], new TensorValue(DType.Bool, [2], new[] { true, false }).ToDoubleArray());
        Assert.Equal([255.0], new TensorValue(DType.U8, [1], new byte[] { 255 }).ToDoubleArray());
        // The CLR lets short[] pass for ushort[] and byte[] for sbyte[]; the dtype must decide.
        Assert.Equal([-2f], new TensorValue(DType.I16, [1], new short[] { -2 }).ToFloatArray());
        Assert.Equal([-1.0], new TensorValue(DType.I8, [1], new sbyte[] { -1 }).ToDoubleArray());
    }

    [Fact]
    public void Conversions_return_copies()
    {
        float[] data = [1, 2];
        var copy = TensorValue.FromFloat(data, 2).ToFloatArray();
        copy[0] = 9;
        Assert.Equal(1f, data[0]);
    }

    [Fact]
    public void Integer_conversions_accept_integers_and_bools_and_refuse_floats()
    {
        Assert.Equal([3L, -4L], TensorValue.FromInt32([3, -4], 2).ToInt64Array());
        Assert.Equal([-128L], new TensorValue(DType.I8, [1], new sbyte[] { -128 }).ToInt64Array());
        Assert.Equal([-300L], new TensorValue(DType.I16, [1], new short[] { -300 }).ToInt64Array());
        Assert.Equal([1L, 0L], new TensorValue(DType.Bool, [2], new[] { true, false }).ToInt64Array());
        var error = Assert.Throws<InvalidOperationException>(() => TensorValue.FromFloat([1f], 1).ToInt64Array());
        Assert.Contains("F32 tensor cannot be converted to integers", error.Message);
    }

    [Fact]
    public void Dtype_names_are_the_safetensors_names()
    {
        Assert.Equal("BOOL", DType.Bool.Name());
        Assert.Equal("BF16", DType.BF16.Name());
        Assert.True(DTypes.TryParse("I64", out var dtype));
        Assert.Equal(DType.I64, dtype);
        Assert.False(DTypes.TryParse("Bool", out _));
        Assert.Equal(8, DType.F64.ItemSize());
        Assert.Equal(2, DType.BF16.ItemSize());
    }
}
