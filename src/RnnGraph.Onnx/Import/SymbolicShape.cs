namespace RnnGraph.Onnx.Import;

/// <summary>
/// One factor of a dimension as the importer tracks it: a named quantity such as the time axis "T", the batch "B",
/// a layer's directions or hidden units, with its size when fixed (null for the time and batch sizes, which vary).
/// Factors of size 1 are never kept, so a unidirectional layer's direction axis is an empty (size-1) axis.
/// </summary>
internal sealed record Factor(string Symbol, int? Size)
{
    public override string ToString() => Symbol;
}

/// <summary>
/// The shape of a value on the data path in terms of what its axes mean: each axis is the product of zero or more
/// factors (<c>[T,B,D·H]</c> after torch's Transpose and Reshape of a bidirectional layer's Y). Shape-only operators
/// (Transpose, Reshape, Squeeze, Unsqueeze) move and merge factors; the importer then checks that a recurrent or
/// dense operator sees time, batch and features where it expects them, with the features in the order RnnGraph
/// lays them out.
/// </summary>
internal sealed class SymbolicShape
{
    public SymbolicShape(IEnumerable<IReadOnlyList<Factor>> axes) => Axes = axes.Select(a => (IReadOnlyList<Factor>)a.Where(f => f.Size != 1).ToList()).ToList();

    public IReadOnlyList<IReadOnlyList<Factor>> Axes { get; }

    public int Rank => Axes.Count;

    public static SymbolicShape Of(params Factor[][] axes) => new(axes);

    public override string ToString() =>
        "[" + string.Join(",", Axes.Select(a => a.Count == 0 ? "1" : string.Join("·", a))) + "]";

    /// <summary>Whether axis <paramref name="axis"/> holds exactly these factors, in order.</summary>
    public bool AxisIs(int axis, IReadOnlyList<Factor> factors) => Axes[axis].SequenceEqual(factors);

    public SymbolicShape Transpose(long[]? perm, Func<string, Exception> fail)
    {
        perm ??= Enumerable.Range(0, Rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != Rank || perm.Distinct().Count() != Rank || perm.Any(p => p < 0 || p >= Rank))
            throw fail($"perm [{string.Join(",", perm)}] is not a permutation of the {Rank} axes of its input {this}");
        return new SymbolicShape(perm.Select(p => Axes[(int)p]));
    }

    public SymbolicShape Squeeze(long[]? axes, Func<string, Exception> fail)
    {
        if (axes is null)
            return new SymbolicShape(Axes.Where(a => a.Count > 0));
        var drop = axes.Select(a => Normalize(a, Rank, fail)).ToHashSet();
        foreach (int a in drop)
            if (Axes[a].Count > 0)
                throw fail($"squeezes axis {a} of {this}, which is not of size 1 in every run");
        return new SymbolicShape(Axes.Where((_, i) => !drop.Contains(i)));
    }

    public SymbolicShape Unsqueeze(long[] axes, Func<string, Exception> fail)
    {
        int rank = Rank + axes.Length;
        var inserted = axes.Select(a => Normalize(a, rank, fail)).ToHashSet();
        if (inserted.Count != axes.Length) throw fail($"axes [{string.Join(",", axes)}] repeat an axis");
        var result = new List<IReadOnlyList<Factor>>();
        int next = 0;
        for (int i = 0; i < rank; i++) result.Add(inserted.Contains(i) ? [] : Axes[next++]);
        return new SymbolicShape(result);
    }

    /// <summary>
    /// Reshape to a constant target (0 copies an input axis, -1 takes what is left): the input's factors, in order,
    /// are regrouped into the new axes. A fixed size that would split a factor, or fix a time or batch size, is refused.
    /// </summary>
    public SymbolicShape Reshape(long[] target, bool allowZero, Func<string, Exception> fail)
    {
        var flat = Axes.SelectMany(a => a).ToList();
        var starts = new int[Rank + 1];
        for (int i = 0; i < Rank; i++) starts[i + 1] = starts[i] + Axes[i].Count;
        int inferred = Array.IndexOf(target, -1L);
        if (target.Count(d => d == -1) > 1) throw fail($"shape [{string.Join(",", target)}] has more than one -1");
        if (target.Any(d => d < -1)) throw fail($"shape [{string.Join(",", target)}] has a negative dimension");
        if (allowZero && target.Contains(0)) throw fail("has allowzero=1 with a 0 in its shape, which makes an empty tensor");
        var result = new IReadOnlyList<Factor>[target.Length];
        int left = 0, right = flat.Count;
        int end = inferred < 0 ? target.Length : inferred;
        for (int j = 0; j < end; j++)
        {
            if (target[j] == 0)
            {
                if (j >= Rank || starts[j] != left) throw fail($"shape [{string.Join(",", target)}] copies axis {j} of {this} at a place where it no longer lines up");
                result[j] = Axes[j];
                left = starts[j + 1];
            }
            else result[j] = TakeFixed(flat, ref left, right, target[j], fromRight: false, target, fail);
        }
        if (inferred >= 0)
        {
            for (int j = target.Length - 1; j > inferred; j--)
            {
                if (target[j] == 0)
                {
                    if (j >= Rank || starts[j + 1] != right) throw fail($"shape [{string.Join(",", target)}] copies axis {j} of {this} at a place where it no longer lines up");
                    result[j] = Axes[j];
                    right = starts[j];
                }
                else result[j] = TakeFixed(flat, ref right, left, target[j], fromRight: true, target, fail);
            }
            if (right < left) throw fail($"cannot reshape {this} to [{string.Join(",", target)}]");
            result[inferred] = flat.GetRange(left, right - left);
            left = right;
        }
        if (left != right) throw fail($"shape [{string.Join(",", target)}] leaves out part of its input {this}");
        return new SymbolicShape(result);
    }

    private IReadOnlyList<Factor> TakeFixed(List<Factor> flat, ref int at, int limit, long size, bool fromRight, long[] target, Func<string, Exception> fail)
    {
        var taken = new List<Factor>();
        long product = 1;
        while (product < size)
        {
            if (fromRight ? at <= limit : at >= limit) throw fail($"cannot reshape {this} to [{string.Join(",", target)}]");
            var factor = fromRight ? flat[at - 1] : flat[at];
            if (factor.Size is not { } s)
                throw fail($"shape [{string.Join(",", target)}] fixes the {Describe(factor)} to {size}; it must vary with the inputs (use 0 or -1 there)");
            product *= s;
            taken.Add(factor);
            at += fromRight ? -1 : 1;
        }
        if (product != size) throw fail($"shape [{string.Join(",", target)}] splits a dimension of {this}, which an RnnGraph model never does");
        if (fromRight) taken.Reverse();
        return taken;
    }

    private static string Describe(Factor f) => f.Symbol switch
    {
        "in0" or "in1" => "batch size or sequence length",
        _ => $"size of '{f.Symbol}'",
    };

    private static int Normalize(long axis, int rank, Func<string, Exception> fail)
    {
        if (axis < -rank || axis >= rank) throw fail($"axis {axis} is out of range for rank {rank}");
        return (int)(axis < 0 ? axis + rank : axis);
    }
}
