using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Onnx.Ops;

/// <summary>Matrix products, softmax and reductions.</summary>
internal static class MathOps
{
    public static void Register(Dictionary<string, OpKernel> table)
    {
        table["MatMul"] = MatMul;
        table["Gemm"] = Gemm;
        table["Softmax"] = c => Softmax(c, log: false);
        table["LogSoftmax"] = c => Softmax(c, log: true);
        table["ReduceSum"] = c => Reduce(c, (acc, v) => acc + v, 0, mean: false);
        table["ReduceMean"] = c => Reduce(c, (acc, v) => acc + v, 0, mean: true);
        table["ReduceMax"] = c => Reduce(c, Math.Max, double.NegativeInfinity, mean: false);
        table["ReduceMin"] = c => Reduce(c, Math.Min, double.PositiveInfinity, mean: false);
        table["ArgMax"] = c => ArgExtreme(c, max: true);
        table["ArgMin"] = c => ArgExtreme(c, max: false);
    }

    /// <summary>C = op(A) op(B) for row-major matrices, in the inputs' float type (float32 products as PyTorch computes them).</summary>
    public static double[] Multiply(DType dtype, double[] a, double[] b, int m, int n, int k, bool ta, bool tb)
    {
        if (dtype == DType.F32)
        {
            var fa = a.Select(v => (float)v).ToArray();
            var fb = b.Select(v => (float)v).ToArray();
            var fc = new float[m * n];
            MatMulKernel<float>.Multiply(fa, fb, fc, m, n, k, ta, tb);
            return fc.Select(v => (double)v).ToArray();
        }
        var c = new double[m * n];
        MatMulKernel<double>.Multiply(a, b, c, m, n, k, ta, tb);
        return c;
    }

    private static TensorValue?[] MatMul(OpContext c)
    {
        var a = c.Input(0, "A");
        var b = c.Input(1, "B");
        if (!Tensors.IsFloat(a.DType) || a.DType != b.DType) throw c.Fail($"multiplies {a} by {b}; both must have the same floating-point type");
        // numpy semantics: 1-D operands gain a dimension that is removed again afterwards.
        int[] sa = a.Shape.Length == 1 ? [1, a.Shape[0]] : a.Shape;
        int[] sb = b.Shape.Length == 1 ? [b.Shape[0], 1] : b.Shape;
        if (sa.Length < 2 || sb.Length < 2) throw c.Fail($"cannot multiply scalars ({a}, {b})");
        int m = sa[^2], k = sa[^1], n = sb[^1];
        if (sb[^2] != k) throw c.Fail($"cannot multiply {a} by {b}: inner dimensions {k} and {sb[^2]} differ");
        var batch = Tensors.Broadcast(sa[..^2], sb[..^2]) ?? throw c.Fail($"cannot broadcast the batch dimensions of {a} and {b}");
        int batches = Tensors.Count(batch);
        var mapA = Tensors.BroadcastMap(sa[..^2], batch);
        var mapB = Tensors.BroadcastMap(sb[..^2], batch);
        var shape = c.CheckShape([.. batch, m, n]);
        double[] x = a.ToDoubleArray(), y = b.ToDoubleArray(), result = new double[Tensors.Count(shape)];
        for (int i = 0; i < batches; i++)
        {
            var product = Multiply(a.DType, x.AsSpan(mapA[i] * m * k, m * k).ToArray(), y.AsSpan(mapB[i] * k * n, k * n).ToArray(), m, n, k, false, false);
            product.CopyTo(result, i * m * n);
        }
        int[] final = shape;
        if (a.Shape.Length == 1) final = [.. final[..^2], final[^1]];
        if (b.Shape.Length == 1) final = final[..^1];
        return [Tensors.FromDoubles(a.DType, final, result)];
    }

    private static TensorValue?[] Gemm(OpContext c)
    {
        var a = c.Input(0, "A");
        var b = c.Input(1, "B");
        var bias = c.Optional(2);
        bool ta = c.Int("transA", 0) != 0, tb = c.Int("transB", 0) != 0;
        double alpha = c.Float("alpha", 1f), beta = c.Float("beta", 1f);
        if (a.Shape.Length != 2 || b.Shape.Length != 2) throw c.Fail($"needs 2-D A and B but got {a} and {b}");
        int m = ta ? a.Shape[1] : a.Shape[0], k = ta ? a.Shape[0] : a.Shape[1];
        int kb = tb ? b.Shape[1] : b.Shape[0], n = tb ? b.Shape[0] : b.Shape[1];
        if (k != kb) throw c.Fail($"cannot multiply {a}{(ta ? "ᵀ" : "")} by {b}{(tb ? "ᵀ" : "")}: inner dimensions {k} and {kb} differ");
        var r = Multiply(a.DType, a.ToDoubleArray(), b.ToDoubleArray(), m, n, k, ta, tb);
        if (alpha != 1) for (int i = 0; i < r.Length; i++) r[i] *= alpha;
        if (bias is not null && beta != 0)
        {
            int[] shape = [m, n];
            if (Tensors.Broadcast(bias.Shape, shape) is not { } s || !s.SequenceEqual(shape)) throw c.Fail($"C {bias} does not broadcast to [{m},{n}]");
            var map = Tensors.BroadcastMap(bias.Shape, shape);
            var cv = bias.ToDoubleArray();
            for (int i = 0; i < r.Length; i++) r[i] += beta * cv[map[i]];
        }
        if (a.DType == DType.F32)
        {
            // Rounded once per step as a float32 GEMM with bias would: the product was already float32.
            for (int i = 0; i < r.Length; i++) r[i] = (float)r[i];
        }
        return [Tensors.FromDoubles(a.DType, [m, n], r)];
    }

    private static TensorValue?[] Softmax(OpContext c, bool log)
    {
        var x = c.Input(0, "input");
        int rank = x.Shape.Length;
        var v = x.ToDoubleArray();
        int groups, size, inner;
        if (c.Opset < 13)
        {
            // Before opset 13 the input is viewed as 2-D [prod(dims < axis), prod(dims >= axis)].
            int axis = c.Axis(c.Int("axis", 1), rank);
            size = Tensors.Count(x.Shape.AsSpan(axis));
            groups = Tensors.Count(x.Shape.AsSpan(0, axis));
            inner = 1;
        }
        else
        {
            int axis = c.Axis(c.Int("axis", -1), rank);
            size = x.Shape[axis];
            groups = Tensors.Count(x.Shape.AsSpan(0, axis));
            inner = Tensors.Count(x.Shape.AsSpan(axis + 1));
        }
        for (int g = 0; g < groups; g++)
            for (int j = 0; j < inner; j++)
            {
                int first = g * size * inner + j;
                double max = double.NegativeInfinity;
                for (int i = 0; i < size; i++) max = Math.Max(max, v[first + i * inner]);
                double sum = 0;
                for (int i = 0; i < size; i++) sum += Math.Exp(v[first + i * inner] - max);
                double logSum = Math.Log(sum);
                for (int i = 0; i < size; i++)
                {
                    int at = first + i * inner;
                    v[at] = log ? v[at] - max - logSum : Math.Exp(v[at] - max) / sum;
                }
            }
        return [Tensors.FromDoubles(x.DType, x.Shape, v)];
    }

    private static TensorValue?[] Reduce(OpContext c, Func<double, double, double> f, double seed, bool mean)
    {
        var x = c.Input(0, "data");
        int rank = x.Shape.Length;
        bool newStyle = c.Node.OpType == "ReduceSum" ? c.Opset >= 13 : c.Opset >= 18;
        long[]? axes = newStyle ? (c.Optional(1) is { } t ? Tensors.Longs(t) : null) : c.Ints("axes");
        bool keep = c.Int("keepdims", 1) != 0;
        if (axes is { Length: 0 } && c.Int("noop_with_empty_axes", 0) != 0) return [x];
        var reduce = (axes is null || axes.Length == 0 ? Enumerable.Range(0, rank) : axes.Select(a => c.Axis(a, rank))).ToHashSet();
        var outKeep = x.Shape.Select((d, i) => reduce.Contains(i) ? 1 : d).ToArray();
        var acc = Enumerable.Repeat(seed, Tensors.Count(outKeep)).ToArray();
        var map = Tensors.BroadcastMap(outKeep, x.Shape);
        var v = Tensors.Doubles(x);
        for (int i = 0; i < v.Length; i++) acc[map[i]] = f(acc[map[i]], v[i]);
        if (mean)
        {
            int count = x.ElementCount / Math.Max(1, acc.Length);
            for (int i = 0; i < acc.Length; i++) acc[i] /= count;
        }
        var shape = keep ? outKeep : x.Shape.Where((_, i) => !reduce.Contains(i)).ToArray();
        return [Tensors.FromDoubles(x.DType, shape, acc)];
    }

    private static TensorValue?[] ArgExtreme(OpContext c, bool max)
    {
        var x = c.Input(0, "data");
        int rank = x.Shape.Length;
        int axis = c.Axis(c.Int("axis", 0), rank);
        bool keep = c.Int("keepdims", 1) != 0, last = c.Int("select_last_index", 0) != 0;
        int outer = Tensors.Count(x.Shape.AsSpan(0, axis)), size = x.Shape[axis], inner = Tensors.Count(x.Shape.AsSpan(axis + 1));
        var v = Tensors.Doubles(x);
        var result = new long[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                int best = 0;
                for (int i = 1; i < size; i++)
                {
                    double candidate = v[(o * size + i) * inner + j], current = v[(o * size + best) * inner + j];
                    if (max ? candidate > current || last && candidate == current : candidate < current || last && candidate == current) best = i;
                }
                result[o * inner + j] = best;
            }
        var shape = x.Shape.Select((d, i) => i == axis ? 1 : d).Where((_, i) => keep || i != axis).ToArray();
        return [new TensorValue(DType.I64, shape, result)];
    }
}
