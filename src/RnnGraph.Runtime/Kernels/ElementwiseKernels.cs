using System.Numerics;
using System.Numerics.Tensors;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Kernels;

/// <summary>Elementwise kernels: vectorized through TensorPrimitives, with broadcasting for binary ops.</summary>
public static class ElementwiseKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Add(Instruction<T> ins, T[][] buf) => Broadcasting.Binary(ins, buf, BinaryOp.Add);
    public static void Subtract(Instruction<T> ins, T[][] buf) => Broadcasting.Binary(ins, buf, BinaryOp.Subtract);
    public static void Multiply(Instruction<T> ins, T[][] buf) => Broadcasting.Binary(ins, buf, BinaryOp.Multiply);
    public static void Divide(Instruction<T> ins, T[][] buf) => Broadcasting.Binary(ins, buf, BinaryOp.Divide);
    public static void Maximum(Instruction<T> ins, T[][] buf) => Broadcasting.Binary(ins, buf, BinaryOp.Maximum);

    public static void Negate(Instruction<T> ins, T[][] buf) => Unary(UnaryOp.Negate, buf[ins.Inputs[0]], buf[ins.Output]);
    public static void Tanh(Instruction<T> ins, T[][] buf) => Unary(UnaryOp.Tanh, buf[ins.Inputs[0]], buf[ins.Output]);
    public static void Sigmoid(Instruction<T> ins, T[][] buf) => Unary(UnaryOp.Sigmoid, buf[ins.Inputs[0]], buf[ins.Output]);
    public static void Exp(Instruction<T> ins, T[][] buf) => Unary(UnaryOp.Exp, buf[ins.Inputs[0]], buf[ins.Output]);
    public static void Log(Instruction<T> ins, T[][] buf) => Unary(UnaryOp.Log, buf[ins.Inputs[0]], buf[ins.Output]);
    public static void Relu(Instruction<T> ins, T[][] buf) => Unary(UnaryOp.Relu, buf[ins.Inputs[0]], buf[ins.Output]);
    public static void Softplus(Instruction<T> ins, T[][] buf) => Unary(UnaryOp.Softplus, buf[ins.Inputs[0]], buf[ins.Output]);
    public static void Step(Instruction<T> ins, T[][] buf) => Unary(UnaryOp.Step, buf[ins.Inputs[0]], buf[ins.Output]);

    internal enum UnaryOp { Negate, Tanh, Sigmoid, Exp, Log, Relu, Softplus, Step }

    /// <summary>
    /// One unary op over a span; the standalone kernels and the fused kernel both call this, so a value is the same
    /// whichever computes it (the vectorized transcendental functions take the same path for any span of 16 or more).
    /// </summary>
    internal static void Unary(UnaryOp op, ReadOnlySpan<T> x, Span<T> y)
    {
        switch (op)
        {
            case UnaryOp.Negate: TensorPrimitives.Negate(x, y); break;
            case UnaryOp.Tanh: TensorPrimitives.Tanh(x, y); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); break;
            case UnaryOp.Relu: TensorPrimitives.Max(x, T.Zero, y); break;
            case UnaryOp.Softplus:
                // log(1 + exp(x)) as max(x, 0) + log(1 + exp(-|x|)), which neither overflows nor loses small values.
                for (int i = 0; i < y.Length; i++) y[i] = T.Max(x[i], T.Zero) + T.LogP1(T.Exp(-T.Abs(x[i])));
                break;
            default:
                for (int i = 0; i < y.Length; i++) y[i] = x[i] > T.Zero ? T.One : T.Zero;
                break;
        }
    }

    internal enum BinaryOp { Add, Subtract, Multiply, Divide, Maximum }

    /// <summary>Binary ops with NumPy broadcasting; fast paths for equal shapes, scalars and row vectors.</summary>
    internal static class Broadcasting
    {
        public static void Binary(Instruction<T> ins, T[][] buf, BinaryOp op)
        {
            var a = buf[ins.Inputs[0]];
            var b = buf[ins.Inputs[1]];
            var y = buf[ins.Output];
            if (a.Length == y.Length && b.Length == y.Length) { Same(a, b, y, op); return; }
            if (b.Length == 1 && a.Length == y.Length) { RightScalar(a, b[0], y, op); return; }
            if (a.Length == 1 && b.Length == y.Length) { LeftScalar(a[0], b, y, op); return; }
            int last = ins.OutputShape.Length == 0 ? 1 : ins.OutputShape[^1];
            if (a.Length == y.Length && b.Length == last && ins.InputShapes[1][^1] == last)
            {
                for (int r = 0; r < y.Length; r += last) Same(a.AsSpan(r, last), b, y.AsSpan(r, last), op);
                return;
            }
            if (b.Length == y.Length && a.Length == last && ins.InputShapes[0][^1] == last)
            {
                for (int r = 0; r < y.Length; r += last) Same(a, b.AsSpan(r, last), y.AsSpan(r, last), op);
                return;
            }
            // A column: one value per row of the result ([rows,1] against [rows,n]), e.g. attention weights times encoder states.
            if (last > 1 && a.Length == y.Length && b.Length * last == y.Length && ins.InputShapes[1][^1] == 1)
            {
                for (int r = 0, i = 0; r < y.Length; r += last, i++) RightScalar(a.AsSpan(r, last), b[i], y.AsSpan(r, last), op);
                return;
            }
            if (last > 1 && b.Length == y.Length && a.Length * last == y.Length && ins.InputShapes[0][^1] == 1)
            {
                for (int r = 0, i = 0; r < y.Length; r += last, i++) LeftScalar(a[i], b.AsSpan(r, last), y.AsSpan(r, last), op);
                return;
            }
            General(ins, a, b, y, op);
        }

        internal static void Same(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y, BinaryOp op)
        {
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
                case BinaryOp.Subtract: TensorPrimitives.Subtract(a, b, y); break;
                case BinaryOp.Multiply: TensorPrimitives.Multiply(a, b, y); break;
                case BinaryOp.Maximum: TensorPrimitives.Max(a, b, y); break;
                default: TensorPrimitives.Divide(a, b, y); break;
            }
        }

        internal static void RightScalar(ReadOnlySpan<T> a, T b, Span<T> y, BinaryOp op)
        {
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
                case BinaryOp.Subtract: TensorPrimitives.Subtract(a, b, y); break;
                case BinaryOp.Multiply: TensorPrimitives.Multiply(a, b, y); break;
                case BinaryOp.Maximum: TensorPrimitives.Max(a, b, y); break;
                default: TensorPrimitives.Divide(a, b, y); break;
            }
        }

        internal static void LeftScalar(T a, ReadOnlySpan<T> b, Span<T> y, BinaryOp op)
        {
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(b, a, y); break;
                case BinaryOp.Subtract: TensorPrimitives.Subtract(a, b, y); break;
                case BinaryOp.Multiply: TensorPrimitives.Multiply(b, a, y); break;
                case BinaryOp.Maximum: TensorPrimitives.Max(b, a, y); break;
                default: TensorPrimitives.Divide(a, b, y); break;
            }
        }

        private static void General(Instruction<T> ins, T[] a, T[] b, T[] y, BinaryOp op)
        {
            var shape = ins.OutputShape;
            ins.Strides ??= [StridesFor(ins.InputShapes[0], shape), StridesFor(ins.InputShapes[1], shape)];
            var sa = ins.Strides[0];
            var sb = ins.Strides[1];
            for (int i = 0; i < y.Length; i++)
            {
                int ia = 0, ib = 0, rest = i;
                for (int d = shape.Length - 1; d >= 0; d--)
                {
                    int k = rest % shape[d];
                    rest /= shape[d];
                    ia += k * sa[d];
                    ib += k * sb[d];
                }
                T x = a[ia], z = b[ib];
                y[i] = op switch
                {
                    BinaryOp.Add => x + z,
                    BinaryOp.Subtract => x - z,
                    BinaryOp.Multiply => x * z,
                    BinaryOp.Maximum => T.Max(x, z),
                    _ => x / z,
                };
            }
        }
    }

    /// <summary>Strides of <paramref name="shape"/> right-aligned to <paramref name="target"/>, 0 on broadcast axes.</summary>
    internal static int[] StridesFor(int[] shape, int[] target)
    {
        var strides = new int[target.Length];
        int stride = 1;
        for (int d = target.Length - 1; d >= 0; d--)
        {
            int s = d - (target.Length - shape.Length);
            int size = s >= 0 ? shape[s] : 1;
            strides[d] = size == 1 ? 0 : stride;
            stride *= size;
        }
        return strides;
    }
}
