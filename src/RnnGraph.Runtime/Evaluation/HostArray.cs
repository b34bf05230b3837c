using System.Numerics;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Evaluation;

/// <summary>A dense row-major array of float or double with its shape: what the evaluator reads and returns.</summary>
public sealed record HostArray<T>(int[] Shape, T[] Data) where T : unmanaged, IFloatingPointIeee754<T>
{
    public static HostArray<T> From(TensorValue value)
    {
        if (typeof(T) == typeof(float)) return new HostArray<T>(value.Shape, (T[])(object)value.ToFloatArray());
        if (typeof(T) == typeof(double)) return new HostArray<T>(value.Shape, (T[])(object)value.ToDoubleArray());
        throw new NotSupportedException(typeof(T).Name);
    }

    /// <summary>Integer token ids as exact values of T.</summary>
    public static HostArray<T> FromIds(TensorValue value) =>
        new(value.Shape, value.ToInt64Array().Select(v => T.CreateChecked(v)).ToArray());

    public TensorValue ToTensorValue() => typeof(T) == typeof(float)
        ? TensorValue.FromFloat((float[])(object)Data, Shape)
        : TensorValue.FromDouble(Data.Select(double.CreateChecked).ToArray(), Shape);

    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}
