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

    public Shape(params int[] dims) => _dims = dims.AsSpan().ToArray();

    /// <summary>Takes <paramref name="dims"/> as they are: only for arrays nobody else holds.</summary>
    private Shape(int[] dims, bool owned) => _dims = dims;

    /// <summary>The 2-D shape [<paramref name="rows"/>, <paramref name="columns"/>] (without the defensive copy of the params constructor).</summary>
    public static Shape Matrix(int rows, int columns) => new([rows, columns], owned: true);

    /// <summary>Whether the two shapes have the same rank and agree on every axis but the last.</summary>
    public bool SameLeadingAxes(Shape other)
    {
        if (other.Rank != Rank) return false;
        return _dims.AsSpan(0, Rank - 1).SequenceEqual(other._dims.AsSpan(0, Rank - 1));
    }

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

    public int[] Resolve(int batch)
    {
        var dims = new int[_dims.Length];
        for (int i = 0; i < dims.Length; i++) dims[i] = ResolveDim(_dims[i], batch);
        return dims;
    }

    public Shape WithLast(int last)
    {
        if (last == Last) return this;
        var dims = _dims.AsSpan().ToArray();
        dims[^1] = last;
        return new Shape(dims, owned: true);
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
        // The common cases (equal shapes, a bias or a scalar against a matrix) give one of the operands back.
        if (ReferenceEquals(a, b) || a.Equals(b)) return a;
        if (b.Rank <= a.Rank && StretchesTo(b, a)) return a;
        if (a.Rank <= b.Rank && StretchesTo(a, b)) return b;
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
        return new Shape(dims, owned: true);
    }

    /// <summary>Whether <paramref name="small"/> (of rank at most <paramref name="large"/>'s) broadcasts to exactly <paramref name="large"/>.</summary>
    private static bool StretchesTo(Shape small, Shape large)
    {
        int offset = large.Rank - small.Rank;
        for (int i = 0; i < small.Rank; i++)
        {
            int d = small._dims[i];
            if (d != 1 && d != large._dims[i + offset]) return false;
        }
        return true;
    }
}
