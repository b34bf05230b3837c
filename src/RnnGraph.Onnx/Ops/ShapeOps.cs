using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Ops;

/// <summary>Operators that build, read or rearrange shapes: no arithmetic on the elements.</summary>
internal static class ShapeOps
{
    public static void Register(Dictionary<string, OpKernel> table)
    {
        table["Shape"] = Shape;
        table["Size"] = c => [Tensors.Scalar(c.Input(0, "data").ElementCount)];
        table["Reshape"] = Reshape;
        table["Flatten"] = Flatten;
        table["Squeeze"] = Squeeze;
        table["Unsqueeze"] = Unsqueeze;
        table["Transpose"] = Transpose;
        table["Concat"] = Concat;
        table["Split"] = Split;
        table["Slice"] = Slice;
        table["Gather"] = Gather;
        table["Expand"] = Expand;
        table["Tile"] = Tile;
        table["ConstantOfShape"] = ConstantOfShape;
        table["Constant"] = Constant;
        table["Range"] = Range;
    }

    private static TensorValue?[] Shape(OpContext c)
    {
        var shape = c.Input(0, "data").Shape;
        int rank = shape.Length;
        long start = c.Int("start", 0), end = c.Int("end", rank);
        int s = (int)Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        int e = (int)Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        var dims = shape.Skip(s).Take(Math.Max(0, e - s)).Select(d => (long)d).ToArray();
        return [new TensorValue(DType.I64, [dims.Length], dims)];
    }

    private static TensorValue?[] Reshape(OpContext c)
    {
        var data = c.Input(0, "data");
        long[] requested = c.Opset < 5 ? c.Ints("shape") ?? [] : Tensors.Longs(c.Input(1, "shape"));
        bool allowZero = c.Int("allowzero", 0) != 0;
        var shape = new int[requested.Length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < requested.Length; i++)
        {
            long d = requested[i];
            if (d == 0 && !allowZero)
            {
                if (i >= data.Shape.Length) throw c.Fail($"shape {Tensors.Format(requested.Select(v => (int)v))} copies dimension {i} (0) but the input has rank {data.Shape.Length}");
                d = data.Shape[i];
            }
            if (d == -1)
            {
                if (infer >= 0) throw c.Fail("shape has more than one -1");
                infer = i;
                continue;
            }
            if (d < 0 || d > int.MaxValue) throw c.Fail($"shape has dimension {d}");
            shape[i] = (int)d;
            known *= d;
        }
        if (infer >= 0)
        {
            if (known == 0 || data.ElementCount % known != 0)
                throw c.Fail($"cannot reshape {data} to [{string.Join(",", requested)}]");
            shape[infer] = (int)(data.ElementCount / known);
        }
        else if (known != data.ElementCount)
            throw c.Fail($"cannot reshape {data} ({data.ElementCount} elements) to [{string.Join(",", requested)}]");
        return [Tensors.Reshaped(data, shape)];
    }

    private static TensorValue?[] Flatten(OpContext c)
    {
        var x = c.Input(0, "input");
        int axis = x.Shape.Length == 0 ? 0 : c.Axis(c.Int("axis", 1), x.Shape.Length + 1);
        int outer = Tensors.Count(x.Shape.AsSpan(0, axis));
        return [Tensors.Reshaped(x, [outer, outer == 0 ? 0 : x.ElementCount / Math.Max(1, outer)])];
    }

    private static long[]? AxesOf(OpContext c, int inputIndex) =>
        c.Opset < 13 ? c.Ints("axes") : c.Optional(inputIndex) is { } t ? Tensors.Longs(t) : null;

    private static TensorValue?[] Squeeze(OpContext c)
    {
        var x = c.Input(0, "data");
        var axes = AxesOf(c, 1);
        var drop = new HashSet<int>();
        if (axes is null) { for (int i = 0; i < x.Shape.Length; i++) if (x.Shape[i] == 1) drop.Add(i); }
        else
        {
            foreach (long a in axes)
            {
                int axis = c.Axis(a, x.Shape.Length);
                if (x.Shape[axis] != 1) throw c.Fail($"cannot squeeze axis {a} of {x}: its size is {x.Shape[axis]}, not 1");
                drop.Add(axis);
            }
        }
        return [Tensors.Reshaped(x, x.Shape.Where((_, i) => !drop.Contains(i)).ToArray())];
    }

    private static TensorValue?[] Unsqueeze(OpContext c)
    {
        var x = c.Input(0, "data");
        var axes = AxesOf(c, 1) ?? throw c.Fail("needs axes");
        int rank = x.Shape.Length + axes.Length;
        var insert = axes.Select(a => c.Axis(a, rank)).ToHashSet();
        if (insert.Count != axes.Length) throw c.Fail($"axes [{string.Join(",", axes)}] repeat an axis");
        var shape = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) shape[i] = insert.Contains(i) ? 1 : x.Shape[j++];
        return [Tensors.Reshaped(x, shape)];
    }

    private static TensorValue?[] Transpose(OpContext c)
    {
        var x = c.Input(0, "data");
        int rank = x.Shape.Length;
        var perm = c.Ints("perm")?.Select(p => c.Axis(p, rank, "perm entry")).ToArray() ?? Enumerable.Range(0, rank).Reverse().ToArray();
        if (perm.Length != rank || perm.Distinct().Count() != rank)
            throw c.Fail($"perm [{string.Join(",", perm)}] is not a permutation of the {rank} axes of {x}");
        return [Permute(x, perm)];
    }

    /// <summary>Axes reordered: output axis i is input axis perm[i].</summary>
    public static TensorValue Permute(TensorValue x, int[] perm)
    {
        var shape = perm.Select(p => x.Shape[p]).ToArray();
        var inStrides = Tensors.Strides(x.Shape);
        var map = Tensors.StridedMap(shape, perm.Select(p => inStrides[p]).ToArray());
        return Tensors.Take(x, shape, map);
    }

    private static TensorValue?[] Concat(OpContext c)
    {
        var parts = Enumerable.Range(0, c.InputCount).Select(i => c.Input(i, $"inputs[{i}]")).ToArray();
        if (parts.Length == 0) throw c.Fail("has no inputs to concatenate");
        int rank = parts[0].Shape.Length;
        int axis = c.Axis(c.IntOrNull("axis") ?? throw c.Fail("needs the attribute 'axis'"), rank);
        foreach (var p in parts)
        {
            if (p.DType != parts[0].DType) throw c.Fail($"concatenates {parts[0]} with {p}: element types differ");
            if (p.Shape.Length != rank || p.Shape.Where((d, i) => i != axis && d != parts[0].Shape[i]).Any())
                throw c.Fail($"cannot concatenate {parts[0]} and {p} along axis {axis}");
        }
        var shape = (int[])parts[0].Shape.Clone();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        c.CheckShape(shape);
        int outer = Tensors.Count(shape.AsSpan(0, axis)), inner = Tensors.Count(shape.AsSpan(axis + 1));
        var data = Array.CreateInstance(parts[0].Data.GetType().GetElementType()!, Tensors.Count(shape));
        int at = 0;
        for (int o = 0; o < outer; o++)
            foreach (var p in parts)
            {
                int chunk = p.Shape[axis] * inner;
                Array.Copy(p.Data, o * chunk, data, at, chunk);
                at += chunk;
            }
        return [new TensorValue(parts[0].DType, shape, data)];
    }

    private static TensorValue?[] Split(OpContext c)
    {
        var x = c.Input(0, "input");
        int axis = c.Axis(c.Int("axis", 0), x.Shape.Length);
        int outputs = c.OutputCount;
        long[]? sizes = c.Opset < 13 ? c.Ints("split") : c.Optional(1) is { } t ? Tensors.Longs(t) : null;
        if (sizes is null)
        {
            long n = c.IntOrNull("num_outputs") ?? outputs;
            int each = (int)((x.Shape[axis] + n - 1) / n);
            sizes = Enumerable.Range(0, (int)n).Select(i => (long)Math.Max(0, Math.Min(each, x.Shape[axis] - i * each))).ToArray();
        }
        if (sizes.Sum() != x.Shape[axis]) throw c.Fail($"split sizes [{string.Join(",", sizes)}] do not add up to axis {axis} of {x}");
        var result = new TensorValue?[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            result[i] = SliceAxis(x, axis, start, (int)sizes[i]);
            start += (int)sizes[i];
        }
        return result;
    }

    /// <summary>Elements [start, start+length) along one axis.</summary>
    public static TensorValue SliceAxis(TensorValue x, int axis, int start, int length)
    {
        var shape = (int[])x.Shape.Clone();
        shape[axis] = length;
        int outer = Tensors.Count(x.Shape.AsSpan(0, axis)), inner = Tensors.Count(x.Shape.AsSpan(axis + 1));
        var data = Array.CreateInstance(x.Data.GetType().GetElementType()!, outer * length * inner);
        for (int o = 0; o < outer; o++)
            Array.Copy(x.Data, (o * x.Shape[axis] + start) * inner, data, o * length * inner, length * inner);
        return new TensorValue(x.DType, shape, data);
    }

    private static TensorValue?[] Slice(OpContext c)
    {
        var x = c.Input(0, "data");
        int rank = x.Shape.Length;
        long[] starts, ends, axes, steps;
        if (c.Opset < 10)
        {
            starts = c.Ints("starts") ?? throw c.Fail("needs 'starts'");
            ends = c.Ints("ends") ?? throw c.Fail("needs 'ends'");
            axes = c.Ints("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        else
        {
            starts = Tensors.Longs(c.Input(1, "starts"));
            ends = Tensors.Longs(c.Input(2, "ends"));
            axes = c.Optional(3) is { } a ? Tensors.Longs(a) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = c.Optional(4) is { } s ? Tensors.Longs(s) : Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw c.Fail("starts, ends, axes and steps must have the same length");
        var begin = new int[rank];
        var step = Enumerable.Repeat(1, rank).ToArray();
        var shape = (int[])x.Shape.Clone();
        for (int i = 0; i < starts.Length; i++)
        {
            int axis = c.Axis(axes[i], rank);
            long dim = x.Shape[axis], st = steps[i];
            if (st == 0) throw c.Fail("a slice step is 0");
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (st > 0) { s = Math.Clamp(s, 0, dim); e = Math.Clamp(e, 0, dim); }
            else { s = Math.Clamp(s, 0, dim - 1); e = Math.Clamp(e, -1, dim - 1); }
            long count = st > 0 ? Math.Max(0, (e - s + st - 1) / st) : Math.Max(0, (s - e - st - 1) / -st);
            begin[axis] = (int)s;
            step[axis] = (int)st;
            shape[axis] = (int)count;
        }
        var inStrides = Tensors.Strides(x.Shape);
        int offset = 0;
        for (int d = 0; d < rank; d++) offset += begin[d] * inStrides[d];
        var map = Tensors.StridedMap(shape, Enumerable.Range(0, rank).Select(d => step[d] * inStrides[d]).ToArray(), offset);
        return [Tensors.Take(x, shape, map)];
    }

    private static TensorValue?[] Gather(OpContext c)
    {
        var data = c.Input(0, "data");
        var indices = c.Input(1, "indices");
        int axis = c.Axis(c.Int("axis", 0), data.Shape.Length);
        int dim = data.Shape[axis];
        var idx = Tensors.Longs(indices);
        var shape = data.Shape.Take(axis).Concat(indices.Shape).Concat(data.Shape.Skip(axis + 1)).ToArray();
        c.CheckShape(shape);
        int outer = Tensors.Count(data.Shape.AsSpan(0, axis)), inner = Tensors.Count(data.Shape.AsSpan(axis + 1));
        var map = new int[Tensors.Count(shape)];
        int k = 0;
        for (int o = 0; o < outer; o++)
            foreach (long raw in idx)
            {
                long i = raw < 0 ? raw + dim : raw;
                if (i < 0 || i >= dim) throw c.Fail($"index {raw} is out of range for axis {axis} of size {dim}");
                for (int j = 0; j < inner; j++) map[k++] = (o * dim + (int)i) * inner + j;
            }
        return [Tensors.Take(data, shape, map)];
    }

    private static TensorValue?[] Expand(OpContext c)
    {
        var x = c.Input(0, "input");
        var target = Tensors.Ints(c.Input(1, "shape"));
        var shape = Tensors.Broadcast(x.Shape, target) ?? throw c.Fail($"cannot expand {x} to {Tensors.Format(target)}");
        c.CheckShape(shape);
        return [Tensors.Take(x, shape, Tensors.BroadcastMap(x.Shape, shape))];
    }

    private static TensorValue?[] Tile(OpContext c)
    {
        var x = c.Input(0, "input");
        var repeats = Tensors.Ints(c.Input(1, "repeats"));
        if (repeats.Length != x.Shape.Length) throw c.Fail($"repeats has {repeats.Length} entries for a tensor of rank {x.Shape.Length}");
        var shape = c.CheckShape(x.Shape.Select((d, i) => d * repeats[i]).ToArray());
        var inStrides = Tensors.Strides(x.Shape);
        int n = Tensors.Count(shape), rank = shape.Length;
        var map = new int[n];
        var index = new int[rank];
        for (int k = 0; k < n; k++)
        {
            int offset = 0;
            for (int d = 0; d < rank; d++) offset += index[d] % x.Shape[d] * inStrides[d];
            map[k] = offset;
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        return [Tensors.Take(x, shape, map)];
    }

    private static TensorValue?[] ConstantOfShape(OpContext c)
    {
        var shape = c.CheckShape(Tensors.Ints(c.Input(0, "input")));
        var value = c.Tensor("value") ?? new TensorValue(DType.F32, [1], new float[] { 0 });
        if (value.ElementCount != 1) throw c.Fail("'value' must hold one element");
        return [Tensors.Take(value, shape, new int[Tensors.Count(shape)])];
    }

    private static TensorValue?[] Constant(OpContext c)
    {
        if (c.Tensor("value") is { } t) return [t];
        if (c.Attribute("value_float") is { } f) return [new TensorValue(DType.F32, [], new[] { f.F })];
        if (c.Attribute("value_floats") is { } fs) return [new TensorValue(DType.F32, [fs.Floats.Count], fs.Floats.ToArray())];
        if (c.Attribute("value_int") is { } i) return [Tensors.Scalar(i.I)];
        if (c.Attribute("value_ints") is { } ints) return [new TensorValue(DType.I64, [ints.Ints.Count], ints.Ints.ToArray())];
        throw c.Fail("has none of the value attributes RnnGraph reads (value, value_float(s), value_int(s))");
    }

    private static TensorValue?[] Range(OpContext c)
    {
        var start = c.Input(0, "start");
        double s = Tensors.Doubles(start)[0], limit = Tensors.Doubles(c.Input(1, "limit"))[0], delta = Tensors.Doubles(c.Input(2, "delta"))[0];
        if (delta == 0) throw c.Fail("delta is 0");
        long n = Math.Max(0, (long)Math.Ceiling((limit - s) / delta));
        c.CheckShape([(int)Math.Min(n, int.MaxValue)]);
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = s + i * delta;
        return [Tensors.FromDoubles(start.DType, [(int)n], values)];
    }
}
