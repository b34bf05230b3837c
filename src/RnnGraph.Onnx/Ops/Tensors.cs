using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Ops;

/// <summary>Shape arithmetic and dtype-generic element movement shared by the operators.</summary>
internal static class Tensors
{
    public static bool IsFloat(DType d) => d is DType.F32 or DType.F64 or DType.F16 or DType.BF16;

    public static int Count(ReadOnlySpan<int> shape)
    {
        int n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    public static int[] Strides(int[] shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { strides[i] = s; s *= shape[i]; }
        return strides;
    }

    public static string Format(IEnumerable<int> shape) => "[" + string.Join(",", shape) + "]";

    /// <summary>A tensor of <paramref name="dtype"/> from doubles (rounded to nearest for narrower float types).</summary>
    public static TensorValue FromDoubles(DType dtype, int[] shape, double[] values)
    {
        switch (dtype)
        {
            case DType.F64: return new TensorValue(dtype, shape, values);
            case DType.F32:
                var f = new float[values.Length];
                for (int i = 0; i < f.Length; i++) f[i] = (float)values[i];
                return new TensorValue(dtype, shape, f);
            case DType.F16:
                var h = new Half[values.Length];
                for (int i = 0; i < h.Length; i++) h[i] = (Half)values[i];
                return new TensorValue(dtype, shape, h);
            default:
                return FromLongs(dtype, shape, values.Select(v => (long)v).ToArray());
        }
    }

    /// <summary>A tensor of integer or bool <paramref name="dtype"/> from longs (wrapping like a C cast).</summary>
    public static TensorValue FromLongs(DType dtype, int[] shape, long[] values) => dtype switch
    {
        DType.I64 => new TensorValue(dtype, shape, values),
        DType.I32 => new TensorValue(dtype, shape, values.Select(v => (int)v).ToArray()),
        DType.I16 => new TensorValue(dtype, shape, values.Select(v => (short)v).ToArray()),
        DType.I8 => new TensorValue(dtype, shape, values.Select(v => (sbyte)v).ToArray()),
        DType.U8 => new TensorValue(dtype, shape, values.Select(v => (byte)v).ToArray()),
        DType.Bool => new TensorValue(dtype, shape, values.Select(v => v != 0).ToArray()),
        _ => FromDoubles(dtype, shape, values.Select(v => (double)v).ToArray()),
    };

    /// <summary>Values as doubles for arithmetic, whatever the dtype.</summary>
    public static double[] Doubles(TensorValue t) => t.DType == DType.Bool || !IsFloat(t.DType) && t.DType != DType.F64
        ? t.ToInt64Array().Select(v => (double)v).ToArray()
        : t.ToDoubleArray();

    /// <summary>A new tensor whose element i is <paramref name="source"/>'s element map[i].</summary>
    public static TensorValue Take(TensorValue source, int[] shape, int[] map) => source.DType switch
    {
        DType.F32 => new TensorValue(source.DType, shape, Take((float[])source.Data, map)),
        DType.F64 => new TensorValue(source.DType, shape, Take((double[])source.Data, map)),
        DType.F16 => new TensorValue(source.DType, shape, Take((Half[])source.Data, map)),
        DType.BF16 => new TensorValue(source.DType, shape, Take((ushort[])source.Data, map)),
        DType.I64 => new TensorValue(source.DType, shape, Take((long[])source.Data, map)),
        DType.I32 => new TensorValue(source.DType, shape, Take((int[])source.Data, map)),
        DType.I16 => new TensorValue(source.DType, shape, Take((short[])source.Data, map)),
        DType.I8 => new TensorValue(source.DType, shape, Take((sbyte[])source.Data, map)),
        DType.U8 => new TensorValue(source.DType, shape, Take((byte[])source.Data, map)),
        DType.Bool => new TensorValue(source.DType, shape, Take((bool[])source.Data, map)),
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    private static T[] Take<T>(T[] source, int[] map)
    {
        var result = new T[map.Length];
        for (int i = 0; i < map.Length; i++) result[i] = source[map[i]];
        return result;
    }

    /// <summary>The same elements under another shape (shares nothing: a copy, so later ops may not alias).</summary>
    public static TensorValue Reshaped(TensorValue t, int[] shape)
    {
        var data = Array.CreateInstance(t.Data.GetType().GetElementType()!, t.ElementCount);
        Array.Copy(t.Data, data, t.ElementCount);
        return new TensorValue(t.DType, shape, data);
    }

    /// <summary>The numpy broadcast of two shapes, or null when they do not broadcast.</summary>
    public static int[]? Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1) return null;
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>For each element of the broadcast <paramref name="outShape"/>, the index of the element of <paramref name="shape"/> it reads.</summary>
    public static int[] BroadcastMap(int[] shape, int[] outShape)
    {
        int rank = outShape.Length;
        var strides = new int[rank];
        var sourceStrides = Strides(shape);
        for (int i = 0; i < rank; i++)
        {
            int j = i - (rank - shape.Length);
            strides[i] = j >= 0 && shape[j] != 1 ? sourceStrides[j] : 0;
        }
        return StridedMap(outShape, strides);
    }

    /// <summary>
    /// For each element of <paramref name="outShape"/> in row-major order, the source index
    /// <c>offset + sum(index[d] * strides[d])</c>: broadcasting, transposes and strided slices are all such maps.
    /// </summary>
    public static int[] StridedMap(int[] outShape, int[] strides, int offset = 0)
    {
        int rank = outShape.Length, n = Count(outShape);
        var map = new int[n];
        var index = new int[rank];
        for (int k = 0; k < n; k++)
        {
            map[k] = offset;
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                offset += strides[d];
                if (index[d] < outShape[d]) break;
                offset -= strides[d] * index[d];
                index[d] = 0;
            }
        }
        return map;
    }

    public static int[] Ints(TensorValue t) => t.ToInt64Array().Select(v => checked((int)v)).ToArray();

    public static long[] Longs(TensorValue t) => t.ToInt64Array();

    public static TensorValue Scalar(long value) => new(DType.I64, [], new[] { value });
}
