namespace RnnGraph.Compiler.IR;

/// <summary>
/// A tensor shape. The batch size is symbolic in the IR (<see cref="Batch"/>), so one compiled graph
/// serves every batch size; the runtime substitutes the real size when it plans buffers.
/// A dimension below zero counts whole batches: <c>-k</c> is <c>k·B</c> rows (<see cref="BatchMultiple"/>),
/// the rows of T steps stacked by the time-batching pass; <see cref="Batch"/> is the case <c>k = 1</c>.
/// </summary>
public sealed class Shape : IEquatable<Shape>
{
    /// <summary>The symbolic batch dimension, printed as <c>B</c>.</summary>
    public const int Batch = -1;

    /// <summary>The symbolic dimension <c>k·B</c>, printed as <c>kB</c>.</summary>
    public static int BatchMultiple(int k) => k >= 1 ? -k : throw new ArgumentOutOfRangeException(nameof(k), "a batch multiple is at least 1");

    /// <summary>Whether <paramref name="dim"/> is symbolic (a multiple of the batch).</summary>
    public static bool IsSymbolic(int dim) => dim < 0;

    /// <summary>A dimension's size with the batch set to <paramref name="batch"/>.</summary>
    public static int ResolveDim(int dim, int batch) => dim < 0 ? -dim * batch : dim;

    /// <summary>A dimension as the dumps print it: <c>5</c>, <c>B</c>, <c>3B</c>.</summary>
    public static string FormatDim(int dim) => dim == Batch ? "B" : dim < 0 ? $"{-dim}B" : dim.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly int[] _dims;

    public Shape(params int[] dims) => _dims = (int[])dims.Clone();

    public static Shape Scalar { get; } = new();

    public int Rank => _dims.Length;
    public int this[int axis] => _dims[axis];
    public int Last => _dims[^1];
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>The element count with the batch dimension set to <paramref name="batch"/>.</summary>
    public long ElementCount(int batch)
    {
        long n = 1;
        foreach (int d in _dims) n *= ResolveDim(d, batch);
        return n;
    }

    public int[] Resolve(int batch) => _dims.Select(d => ResolveDim(d, batch)).ToArray();

    public Shape WithLast(int last)
    {
        var dims = (int[])_dims.Clone();
        dims[^1] = last;
        return new Shape(dims);
    }

    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    public override bool Equals(object? obj) => Equals(obj as Shape);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in _dims) h.Add(d);
        return h.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(",", _dims.Select(FormatDim)) + "]";

    /// <summary>NumPy-style broadcast of two shapes (right-aligned; a 1 stretches); null if incompatible.</summary>
    public static Shape? Broadcast(Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a._dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b._dims[i - (rank - b.Rank)];
            if (da == db || db == 1) dims[i] = da;
            else if (da == 1) dims[i] = db;
            else return null;
        }
        return new Shape(dims);
    }
}
