namespace RnnGraph.Runtime.IO;

/// <summary>A dense host tensor of any <see cref="DType"/>, row-major, as read from or written to a safetensors file.</summary>
/// <remarks>
/// <see cref="Data"/> is a one-dimensional array whose element type is <see cref="DTypes.ElementType"/>
/// of the dtype (float[] for F32, long[] for I64, raw ushort bits for BF16, ...). Shape [] is a scalar.
/// </remarks>
public sealed class TensorValue
{
    /// <summary>Creates a tensor, checking that the array's element type fits the dtype and its length fits the shape.</summary>
    public TensorValue(DType dtype, int[] shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        var elementType = data.GetType().GetElementType();
        if (data.Rank != 1 || elementType != dtype.ElementType())
            throw new ArgumentException($"a {dtype.Name()} tensor needs a {dtype.ElementType().Name}[] but got {data.GetType().Name}", nameof(data));
        long count = CountElements(shape);
        if (count != data.Length)
            throw new ArgumentException($"shape {FormatShape(shape)} needs {count} elements but the data has {data.Length}", nameof(data));
        DType = dtype;
        // Copied so that a caller reusing its shape array cannot change this tensor afterwards.
        Shape = (int[])shape.Clone();
        Data = data;
    }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The dimensions, outermost first; empty for a scalar.</summary>
    public int[] Shape { get; }

    /// <summary>The elements in row-major order (not copied: the tensor shares the caller's array).</summary>
    public Array Data { get; }

    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    public int ElementCount => Data.Length;

    /// <summary>An F32 tensor over <paramref name="data"/>.</summary>
    public static TensorValue FromFloat(float[] data, params int[] shape) => new(DType.F32, shape, data);

    /// <summary>An F64 tensor over <paramref name="data"/>.</summary>
    public static TensorValue FromDouble(double[] data, params int[] shape) => new(DType.F64, shape, data);

    /// <summary>An I32 tensor over <paramref name="data"/>.</summary>
    public static TensorValue FromInt32(int[] data, params int[] shape) => new(DType.I32, shape, data);

    /// <summary>An I64 tensor over <paramref name="data"/>.</summary>
    public static TensorValue FromInt64(long[] data, params int[] shape) => new(DType.I64, shape, data);

    /// <summary>An F16 tensor over <paramref name="data"/>.</summary>
    public static TensorValue FromHalf(Half[] data, params int[] shape) => new(DType.F16, shape, data);

    // The conversions switch on DType, not on the array's runtime type: the CLR lets a byte[]
    // pass as sbyte[] and a short[] as ushort[] in type tests, which would confuse U8 with I8
    // and I16 with BF16.

    /// <summary>The elements as a new float[]; integers convert exactly up to 2^24, F64 rounds to nearest.</summary>
    public float[] ToFloatArray()
    {
        var result = new float[ElementCount];
        switch (DType)
        {
            case DType.F32: Array.Copy((float[])Data, result, result.Length); break;
            case DType.F64: var d = (double[])Data; for (int i = 0; i < d.Length; i++) result[i] = (float)d[i]; break;
            case DType.F16: var h = (Half[])Data; for (int i = 0; i < h.Length; i++) result[i] = (float)h[i]; break;
            case DType.BF16: var bf = (ushort[])Data; for (int i = 0; i < bf.Length; i++) result[i] = BFloat16ToSingle(bf[i]); break;
            default:
                var integers = ToInt64Array();
                for (int i = 0; i < integers.Length; i++) result[i] = integers[i];
                break;
        }
        return result;
    }

    /// <summary>The elements as a new double[] (exact for every dtype except I64 beyond 2^53).</summary>
    public double[] ToDoubleArray()
    {
        var result = new double[ElementCount];
        switch (DType)
        {
            case DType.F64: Array.Copy((double[])Data, result, result.Length); break;
            case DType.F32: var f = (float[])Data; for (int i = 0; i < f.Length; i++) result[i] = f[i]; break;
            case DType.F16: var h = (Half[])Data; for (int i = 0; i < h.Length; i++) result[i] = (double)h[i]; break;
            case DType.BF16: var bf = (ushort[])Data; for (int i = 0; i < bf.Length; i++) result[i] = BFloat16ToSingle(bf[i]); break;
            default:
                var integers = ToInt64Array();
                for (int i = 0; i < integers.Length; i++) result[i] = integers[i];
                break;
        }
        return result;
    }

    /// <summary>
    /// The elements as a new long[], for integer and BOOL tensors. Floating-point tensors are
    /// refused rather than truncated: a float where an integer was expected is a caller's mistake.
    /// </summary>
    public long[] ToInt64Array()
    {
        var result = new long[ElementCount];
        switch (DType)
        {
            case DType.I64: Array.Copy((long[])Data, result, result.Length); break;
            case DType.I32: var i32 = (int[])Data; for (int i = 0; i < i32.Length; i++) result[i] = i32[i]; break;
            case DType.I16: var i16 = (short[])Data; for (int i = 0; i < i16.Length; i++) result[i] = i16[i]; break;
            case DType.I8: var i8 = (sbyte[])Data; for (int i = 0; i < i8.Length; i++) result[i] = i8[i]; break;
            case DType.U8: var u8 = (byte[])Data; for (int i = 0; i < u8.Length; i++) result[i] = u8[i]; break;
            case DType.Bool: var b = (bool[])Data; for (int i = 0; i < b.Length; i++) result[i] = b[i] ? 1 : 0; break;
            default:
                throw new InvalidOperationException($"a {DType.Name()} tensor cannot be converted to integers (expected an integer dtype such as I32 or I64)");
        }
        return result;
    }

    /// <summary>"F32[2,3]": dtype and shape, for messages.</summary>
    public override string ToString() => DType.Name() + FormatShape(Shape);

    /// <summary>The product of the dimensions; throws for a negative dimension or a count beyond an array's reach.</summary>
    internal static long CountElements(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int dim in shape)
        {
            if (dim < 0)
                throw new ArgumentException($"shape {FormatShape(shape)} has a negative dimension");
            count *= dim;
            if (count > Array.MaxLength)
                throw new ArgumentException($"shape {FormatShape(shape)} has more elements than an array can hold");
        }
        return count;
    }

    internal static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    // bfloat16 is the upper half of an IEEE single, so widening is a shift.
    private static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);
}
