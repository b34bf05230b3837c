namespace RnnGraph.Runtime.IO;

/// <summary>Element types of a safetensors tensor; the member names are the safetensors dtype strings.</summary>
public enum DType
{
    F16,
    BF16,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    U8,
    Bool,
}

/// <summary>Facts about each <see cref="DType"/>: its safetensors name, item size and host array element type.</summary>
public static class DTypes
{
    /// <summary>The safetensors header name ("F32", "BOOL", ...).</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        // Bool is the only member whose safetensors spelling differs from the C# member name.
        DType.Bool => "BOOL",
        _ => dtype.ToString(),
    };

    /// <summary>Parses a safetensors dtype name; false for names this runtime does not support.</summary>
    public static bool TryParse(string name, out DType dtype)
    {
        foreach (var candidate in Enum.GetValues<DType>())
        {
            if (candidate.Name() == name)
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>Bytes per element in the file and in memory.</summary>
    public static int ItemSize(this DType dtype) => dtype switch
    {
        DType.F16 or DType.BF16 or DType.I16 => 2,
        DType.F32 or DType.I32 => 4,
        DType.F64 or DType.I64 => 8,
        DType.I8 or DType.U8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>
    /// The element type of <see cref="TensorValue.Data"/> for a dtype. .NET has no bfloat16
    /// type, so BF16 is held as its raw bit patterns in a <c>ushort[]</c>.
    /// </summary>
    public static Type ElementType(this DType dtype) => dtype switch
    {
        DType.F16 => typeof(Half),
        DType.BF16 => typeof(ushort),
        DType.F32 => typeof(float),
        DType.F64 => typeof(double),
        DType.I8 => typeof(sbyte),
        DType.I16 => typeof(short),
        DType.I32 => typeof(int),
        DType.I64 => typeof(long),
        DType.U8 => typeof(byte),
        DType.Bool => typeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>True for the floating-point dtypes.</summary>
    public static bool IsFloatingPoint(this DType dtype) =>
        dtype is DType.F16 or DType.BF16 or DType.F32 or DType.F64;
}
