using RnnGraph.Runtime.IO;

namespace RnnGraph.Onnx.Ops;

/// <summary>Elementwise operators with numpy broadcasting. Floating-point math runs in double and rounds once to the output type.</summary>
internal static class ElementwiseOps
{
    public static void Register(Dictionary<string, OpKernel> table)
    {
        table["Add"] = c => Binary(c, (a, b) => a + b, (a, b) => a + b);
        table["Sub"] = c => Binary(c, (a, b) => a - b, (a, b) => a - b);
        table["Mul"] = c => Binary(c, (a, b) => a * b, (a, b) => a * b);
        table["Div"] = c => Binary(c, (a, b) => a / b, (a, b) => b == 0 ? throw c.Fail("integer division by zero") : a / b);
        table["Pow"] = c => Binary(c, Math.Pow, (a, b) => (long)Math.Pow(a, b), keepLeftType: true);
        table["Max"] = c => Variadic(c, Math.Max);
        table["Min"] = c => Variadic(c, Math.Min);
        table["Sum"] = c => Variadic(c, (a, b) => a + b);
        table["Equal"] = c => Compare(c, (a, b) => a == b);
        table["Less"] = c => Compare(c, (a, b) => a < b);
        table["LessOrEqual"] = c => Compare(c, (a, b) => a <= b);
        table["Greater"] = c => Compare(c, (a, b) => a > b);
        table["GreaterOrEqual"] = c => Compare(c, (a, b) => a >= b);
        table["And"] = c => Compare(c, (a, b) => a != 0 && b != 0);
        table["Or"] = c => Compare(c, (a, b) => a != 0 || b != 0);
        table["Xor"] = c => Compare(c, (a, b) => (a != 0) ^ (b != 0));
        table["Not"] = c => [Tensors.FromLongs(DType.Bool, c.Input(0, "X").Shape, c.Input(0, "X").ToInt64Array().Select(v => v == 0 ? 1L : 0L).ToArray())];
        table["Where"] = Where;

        table["Relu"] = c => Unary(c, x => x > 0 ? x : 0);
        table["Tanh"] = c => Unary(c, Math.Tanh);
        table["Sigmoid"] = c => Unary(c, Activations.Sigmoid);
        table["Exp"] = c => Unary(c, Math.Exp);
        table["Log"] = c => Unary(c, Math.Log);
        table["Sqrt"] = c => Unary(c, Math.Sqrt);
        table["Reciprocal"] = c => Unary(c, x => 1 / x);
        table["Neg"] = c => Unary(c, x => -x, integers: true);
        table["Abs"] = c => Unary(c, Math.Abs, integers: true);
        table["Floor"] = c => Unary(c, Math.Floor);
        table["Ceil"] = c => Unary(c, Math.Ceiling);
        table["Softsign"] = c => Unary(c, x => x / (1 + Math.Abs(x)));
        table["Softplus"] = c => Unary(c, Activations.Softplus);
        table["LeakyRelu"] = c => { double a = c.Float("alpha", 0.01f); return Unary(c, x => x < 0 ? a * x : x); };
        table["Elu"] = c => { double a = c.Float("alpha", 1f); return Unary(c, x => x < 0 ? a * (Math.Exp(x) - 1) : x); };
        table["HardSigmoid"] = c =>
        {
            double a = c.Float("alpha", 0.2f), b = c.Float("beta", 0.5f);
            return Unary(c, x => Math.Max(0, Math.Min(1, a * x + b)));
        };
        table["ThresholdedRelu"] = c => { double a = c.Float("alpha", 1f); return Unary(c, x => x > a ? x : 0); };
        table["Clip"] = Clip;
        table["Identity"] = c => [c.Input(0, "input")];
        table["Dropout"] = c => [c.Input(0, "data"), c.Wants(1) ? Tensors.FromLongs(DType.Bool, c.Input(0, "data").Shape, new long[c.Input(0, "data").ElementCount].Select(_ => 1L).ToArray()) : null];
        table["Cast"] = Cast;
    }

    private static TensorValue?[] Unary(OpContext c, Func<double, double> f, bool integers = false)
    {
        var x = c.Input(0, "X");
        if (!Tensors.IsFloat(x.DType))
        {
            if (!integers) throw c.Fail($"needs a floating-point input but got {x}");
            return [Tensors.FromLongs(x.DType, x.Shape, x.ToInt64Array().Select(v => (long)f(v)).ToArray())];
        }
        var v = x.ToDoubleArray();
        for (int i = 0; i < v.Length; i++) v[i] = f(v[i]);
        return [Tensors.FromDoubles(x.DType, x.Shape, v)];
    }

    private static (int[] shape, int[] ma, int[] mb) Broadcast(OpContext c, TensorValue a, TensorValue b)
    {
        var shape = Tensors.Broadcast(a.Shape, b.Shape)
            ?? throw c.Fail($"cannot broadcast shapes {Tensors.Format(a.Shape)} and {Tensors.Format(b.Shape)}");
        c.CheckShape(shape);
        return (shape, Tensors.BroadcastMap(a.Shape, shape), Tensors.BroadcastMap(b.Shape, shape));
    }

    private static TensorValue?[] Binary(OpContext c, Func<double, double, double> f, Func<long, long, long> g, bool keepLeftType = false)
    {
        var a = c.Input(0, "A");
        var b = c.Input(1, "B");
        if (!keepLeftType && a.DType != b.DType)
            throw c.Fail($"its inputs have different element types ({a.DType.Name()} and {b.DType.Name()})");
        var (shape, ma, mb) = Broadcast(c, a, b);
        if (Tensors.IsFloat(a.DType))
        {
            double[] x = a.ToDoubleArray(), y = Tensors.Doubles(b), r = new double[ma.Length];
            for (int i = 0; i < r.Length; i++) r[i] = f(x[ma[i]], y[mb[i]]);
            return [Tensors.FromDoubles(a.DType, shape, r)];
        }
        long[] p = a.ToInt64Array(), q = b.ToInt64Array(), s = new long[ma.Length];
        for (int i = 0; i < s.Length; i++) s[i] = g(p[ma[i]], q[mb[i]]);
        return [Tensors.FromLongs(a.DType, shape, s)];
    }

    private static TensorValue?[] Variadic(OpContext c, Func<double, double, double> f)
    {
        var result = c.Input(0, "data_0");
        for (int k = 1; k < c.InputCount; k++)
        {
            var next = c.Input(k, $"data_{k}");
            var (shape, ma, mb) = Broadcast(c, result, next);
            double[] x = Tensors.Doubles(result), y = Tensors.Doubles(next), r = new double[ma.Length];
            for (int i = 0; i < r.Length; i++) r[i] = f(x[ma[i]], y[mb[i]]);
            result = Tensors.FromDoubles(result.DType, shape, r);
        }
        return [result];
    }

    private static TensorValue?[] Compare(OpContext c, Func<double, double, bool> f)
    {
        var a = c.Input(0, "A");
        var b = c.Input(1, "B");
        var (shape, ma, mb) = Broadcast(c, a, b);
        double[] x = Tensors.Doubles(a), y = Tensors.Doubles(b);
        var r = new bool[ma.Length];
        for (int i = 0; i < r.Length; i++) r[i] = f(x[ma[i]], y[mb[i]]);
        return [new TensorValue(DType.Bool, shape, r)];
    }

    private static TensorValue?[] Where(OpContext c)
    {
        var condition = c.Input(0, "condition");
        var x = c.Input(1, "X");
        var y = c.Input(2, "Y");
        var shape = Tensors.Broadcast(condition.Shape, x.Shape) is { } s1 ? Tensors.Broadcast(s1, y.Shape) : null;
        if (shape is null) throw c.Fail($"cannot broadcast shapes {Tensors.Format(condition.Shape)}, {Tensors.Format(x.Shape)} and {Tensors.Format(y.Shape)}");
        c.CheckShape(shape);
        int[] mc = Tensors.BroadcastMap(condition.Shape, shape), mx = Tensors.BroadcastMap(x.Shape, shape), my = Tensors.BroadcastMap(y.Shape, shape);
        var cond = condition.ToInt64Array();
        var xs = Tensors.Take(x, shape, mx);
        var ys = Tensors.Take(y, shape, my);
        var data = Array.CreateInstance(xs.Data.GetType().GetElementType()!, mc.Length);
        for (int i = 0; i < mc.Length; i++) Array.Copy(cond[mc[i]] != 0 ? xs.Data : ys.Data, i, data, i, 1);
        return [new TensorValue(x.DType, shape, data)];
    }

    private static TensorValue?[] Clip(OpContext c)
    {
        var x = c.Input(0, "input");
        double lo, hi;
        if (c.Opset < 11)
        {
            lo = c.Float("min", float.MinValue);
            hi = c.Float("max", float.MaxValue);
        }
        else
        {
            lo = c.Optional(1) is { } min ? Tensors.Doubles(min)[0] : double.NegativeInfinity;
            hi = c.Optional(2) is { } max ? Tensors.Doubles(max)[0] : double.PositiveInfinity;
        }
        var v = Tensors.Doubles(x);
        for (int i = 0; i < v.Length; i++) v[i] = Math.Min(hi, Math.Max(lo, v[i]));
        return [Tensors.FromDoubles(x.DType, x.Shape, v)];
    }

    private static TensorValue?[] Cast(OpContext c)
    {
        var x = c.Input(0, "input");
        int to = (int)c.Int("to", 0);
        var dtype = OnnxTensors.ToDType(to) ?? throw c.Fail($"casts to {OnnxTensors.TypeName(to)}, which RnnGraph does not support");
        if (Tensors.IsFloat(dtype))
            return [Tensors.FromDoubles(dtype, x.Shape, Tensors.Doubles(x))];
        // float -> integer truncates toward zero, as a C cast does.
        var longs = Tensors.IsFloat(x.DType) ? x.ToDoubleArray().Select(v => dtype == DType.Bool ? (v != 0 ? 1L : 0L) : (long)Math.Truncate(v)).ToArray() : x.ToInt64Array();
        return [Tensors.FromLongs(dtype, x.Shape, longs)];
    }
}
