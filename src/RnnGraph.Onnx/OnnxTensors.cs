using System.Runtime.InteropServices;
using Google.Protobuf;
using RnnGraph.Onnx.Proto;
using RnnGraph.Runtime.IO;
using static RnnGraph.Onnx.Proto.TensorProto.Types;

namespace RnnGraph.Onnx;

/// <summary>Conversions between ONNX <see cref="TensorProto"/>s and RnnGraph's host tensors.</summary>
public static class OnnxTensors
{
    /// <summary>The RnnGraph dtype of an ONNX element type, or null for types RnnGraph does not hold (strings, complex, unsigned wider than 8 bits).</summary>
    public static DType? ToDType(int onnxType) => (DataType)onnxType switch
    {
        DataType.Float => DType.F32,
        DataType.Double => DType.F64,
        DataType.Float16 => DType.F16,
        DataType.Bfloat16 => DType.BF16,
        DataType.Int8 => DType.I8,
        DataType.Uint8 => DType.U8,
        DataType.Int16 => DType.I16,
        DataType.Int32 => DType.I32,
        DataType.Int64 => DType.I64,
        DataType.Bool => DType.Bool,
        _ => null,
    };

    /// <summary>The ONNX element type of an RnnGraph dtype.</summary>
    public static DataType ToOnnx(DType dtype) => dtype switch
    {
        DType.F32 => DataType.Float,
        DType.F64 => DataType.Double,
        DType.F16 => DataType.Float16,
        DType.BF16 => DataType.Bfloat16,
        DType.I8 => DataType.Int8,
        DType.U8 => DataType.Uint8,
        DType.I16 => DataType.Int16,
        DType.I32 => DataType.Int32,
        DType.I64 => DataType.Int64,
        DType.Bool => DataType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>The ONNX spelling of an element type for messages ("float", "int64", ...).</summary>
    public static string TypeName(int onnxType) => Enum.IsDefined(typeof(DataType), onnxType)
        ? ((DataType)onnxType).ToString().ToLowerInvariant()
        : $"type {onnxType}";

    /// <summary>A tensor proto holding <paramref name="value"/> as little-endian raw data.</summary>
    public static TensorProto ToProto(string name, TensorValue value)
    {
        var proto = new TensorProto { Name = name, DataType = (int)ToOnnx(value.DType) };
        foreach (int d in value.Shape) proto.Dims.Add(d);
        proto.RawData = ByteString.CopyFrom(RawBytes(value));
        return proto;
    }

    /// <summary>
    /// Reads a tensor proto. <paramref name="describe"/> names it in errors (e.g. "initializer 'W'");
    /// <paramref name="external"/> resolves external data, or is null where external data is not allowed.
    /// </summary>
    public static TensorValue FromProto(TensorProto proto, string describe, Func<TensorProto, byte[]>? external = null, OnnxLimits? limits = null)
    {
        limits ??= OnnxLimits.Default;
        var dtype = ToDType(proto.DataType)
            ?? throw new OnnxException($"{describe} has element type {TypeName(proto.DataType)}, which RnnGraph does not support (float, double, float16, bfloat16, int8/16/32/64, uint8 and bool are)");
        if (proto.Segment is not null)
            throw new OnnxException($"{describe} is a segment of a larger tensor, which RnnGraph does not support");
        var shape = new int[proto.Dims.Count];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long d = proto.Dims[i];
            if (d < 0 || d > int.MaxValue)
                throw new OnnxException($"{describe} has dimension {i} = {d}; dimensions must be between 0 and {int.MaxValue}");
            shape[i] = (int)d;
            count *= d;
            if (count > limits.MaxElements || count > Array.MaxLength)
                throw new OnnxException($"{describe} has shape [{string.Join(",", proto.Dims)}], more than the {limits.MaxElements:N0} elements a tensor may have");
        }
        int n = (int)count;
        int itemSize = dtype.ItemSize();
        bool isExternal = proto.DataLocation == DataLocation.External;
        if (isExternal || proto.HasRawData)
        {
            byte[] raw;
            if (isExternal)
            {
                if (external is null) throw new OnnxException($"{describe} refers to external data, which is not allowed here");
                raw = external(proto);
            }
            else raw = proto.RawData.ToByteArray();
            if (raw.LongLength != (long)n * itemSize)
                throw new OnnxException($"{describe} has {raw.LongLength} bytes of data but its shape [{string.Join(",", shape)}] of {TypeName(proto.DataType)} needs {(long)n * itemSize}");
            return FromRawBytes(dtype, shape, raw, describe);
        }
        return dtype switch
        {
            DType.F32 => new TensorValue(dtype, shape, Typed(proto.FloatData, n, describe, "float_data")),
            DType.F64 => new TensorValue(dtype, shape, Typed(proto.DoubleData, n, describe, "double_data")),
            DType.I64 => new TensorValue(dtype, shape, Typed(proto.Int64Data, n, describe, "int64_data")),
            DType.I32 => new TensorValue(dtype, shape, Typed(proto.Int32Data, n, describe, "int32_data")),
            DType.I16 => new TensorValue(dtype, shape, Typed(proto.Int32Data, n, describe, "int32_data").Select(v => (short)v).ToArray()),
            DType.I8 => new TensorValue(dtype, shape, Typed(proto.Int32Data, n, describe, "int32_data").Select(v => (sbyte)v).ToArray()),
            DType.U8 => new TensorValue(dtype, shape, Typed(proto.Int32Data, n, describe, "int32_data").Select(v => (byte)v).ToArray()),
            DType.Bool => new TensorValue(dtype, shape, Typed(proto.Int32Data, n, describe, "int32_data").Select(v => v != 0).ToArray()),
            DType.F16 => new TensorValue(dtype, shape, Typed(proto.Int32Data, n, describe, "int32_data").Select(v => BitConverter.UInt16BitsToHalf((ushort)v)).ToArray()),
            DType.BF16 => new TensorValue(dtype, shape, Typed(proto.Int32Data, n, describe, "int32_data").Select(v => (ushort)v).ToArray()),
            _ => throw new OnnxException($"{describe}: unsupported element type"),
        };
    }

    private static T[] Typed<T>(Google.Protobuf.Collections.RepeatedField<T> field, int n, string describe, string fieldName)
    {
        if (field.Count != n)
            throw new OnnxException($"{describe} holds {field.Count} values in {fieldName} but its shape needs {n}");
        var result = new T[n];
        field.CopyTo(result, 0);
        return result;
    }

    private static TensorValue FromRawBytes(DType dtype, int[] shape, byte[] raw, string describe)
    {
        int n = shape.Aggregate(1, (a, d) => a * d);
        Array data = dtype switch
        {
            DType.F32 => MemoryMarshal.Cast<byte, float>(raw).ToArray(),
            DType.F64 => MemoryMarshal.Cast<byte, double>(raw).ToArray(),
            DType.F16 => MemoryMarshal.Cast<byte, Half>(raw).ToArray(),
            DType.BF16 => MemoryMarshal.Cast<byte, ushort>(raw).ToArray(),
            DType.I8 => MemoryMarshal.Cast<byte, sbyte>(raw).ToArray(),
            DType.U8 => (byte[])raw.Clone(),
            DType.I16 => MemoryMarshal.Cast<byte, short>(raw).ToArray(),
            DType.I32 => MemoryMarshal.Cast<byte, int>(raw).ToArray(),
            DType.I64 => MemoryMarshal.Cast<byte, long>(raw).ToArray(),
            DType.Bool => raw.Select(b => b != 0).ToArray(),
            _ => throw new OnnxException($"{describe}: unsupported element type"),
        };
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw data is little-endian; this machine is not");
        return new TensorValue(dtype, shape, data);
    }

    /// <summary>The little-endian bytes of a tensor's elements.</summary>
    public static byte[] RawBytes(TensorValue value) => value.DType switch
    {
        DType.F32 => MemoryMarshal.AsBytes<float>((float[])value.Data).ToArray(),
        DType.F64 => MemoryMarshal.AsBytes<double>((double[])value.Data).ToArray(),
        DType.F16 => MemoryMarshal.AsBytes<Half>((Half[])value.Data).ToArray(),
        DType.BF16 => MemoryMarshal.AsBytes<ushort>((ushort[])value.Data).ToArray(),
        DType.I8 => MemoryMarshal.AsBytes<sbyte>((sbyte[])value.Data).ToArray(),
        DType.U8 => (byte[])((byte[])value.Data).Clone(),
        DType.I16 => MemoryMarshal.AsBytes<short>((short[])value.Data).ToArray(),
        DType.I32 => MemoryMarshal.AsBytes<int>((int[])value.Data).ToArray(),
        DType.I64 => MemoryMarshal.AsBytes<long>((long[])value.Data).ToArray(),
        DType.Bool => ((bool[])value.Data).Select(b => b ? (byte)1 : (byte)0).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };
}
