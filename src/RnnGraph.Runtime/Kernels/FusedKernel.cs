using System.Numerics;
using RnnGraph.Compiler.IR;
using RnnGraph.Compiler.Passes;
using RnnGraph.Runtime.Execution;

namespace RnnGraph.Runtime.Kernels;

/// <summary>
/// Runs a <c>fused</c> node's program (<see cref="FusedProgram"/>) a few rows at a time, so every intermediate stays in a
/// small register array that the cache holds and only the result is written out. Each op goes through the same span
/// routines as its standalone kernel, on pieces of at least <see cref="MinChunk"/> elements (or the whole tensor), so
/// the values are bit for bit those of the unfused graph.
/// </summary>
public static class FusedKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Elements per piece: a program's few live registers of 64 KB each stay in L2, and pieces are long enough that the
    /// per-call cost of the span routines is small (with 2048-value pieces a [32,256] tensor took four times the calls).
    /// </summary>
    internal const int ChunkElements = 16384;

    /// <summary>
    /// No piece is shorter than this unless the tensor is: the vectorized transcendental functions compute a span of 16
    /// or more elements the same way at any length, and shorter spans may take another path.
    /// </summary>
    internal const int MinChunk = 16;

    public static void Run(Instruction<T> ins, T[][] buf)
    {
        var plan = (Plan?)ins.State ?? (Plan)(ins.State = new Plan(ins));
        plan.Execute(ins, buf);
    }

    /// <summary>Row boundaries of the pieces: about <paramref name="target"/> elements each, none below <paramref name="minimum"/> unless all are.</summary>
    internal static int[] Chunks(int rows, int width, int target, int minimum)
    {
        int per = Math.Max(1, target / Math.Max(1, width));
        var bounds = new List<int> { 0 };
        for (int r = per; r < rows; r += per) bounds.Add(r);
        bounds.Add(rows);
        // A short last piece joins the one before it.
        if (bounds.Count > 2 && (long)(bounds[^1] - bounds[^2]) * width < minimum) bounds.RemoveAt(bounds.Count - 2);
        return bounds.ToArray();
    }

    private enum Kind : byte { Contiguous, Columns, Scalar, Row }

    private sealed class Plan
    {
        private readonly int _width;
        private readonly int[] _chunks;
        private readonly Kind[] _kind;
        private readonly int[] _slot, _offset, _columnStart, _sourceWidth;
        private readonly int[] _gathered;
        private readonly bool[] _unary;
        private readonly ElementwiseKernels<T>.UnaryOp[] _unaryOp;
        private readonly ElementwiseKernels<T>.BinaryOp[] _binaryOp;
        private readonly int[][] _operands;
        private readonly int[] _dest;
        private readonly int _longest, _scratchCount, _expanded;

        public Plan(Instruction<T> ins)
        {
            var program = FusedProgram.Parse(ins.Node.Attributes.Name!);
            var shape = ins.OutputShape;
            _width = shape.Length == 0 ? 1 : shape[^1];
            int count = 1;
            foreach (int d in shape) count *= d;
            int rows = count / Math.Max(1, _width);
            _chunks = count == 0 ? [0, 0] : Chunks(rows, _width, ChunkElements, MinChunk);
            int longest = 0;
            for (int c = 1; c < _chunks.Length; c++) longest = Math.Max(longest, (_chunks[c] - _chunks[c - 1]) * _width);

            int args = program.Args.Count;
            _kind = new Kind[args];
            _slot = new int[args];
            _offset = new int[args];
            _columnStart = new int[args];
            _sourceWidth = new int[args];
            _gathered = new int[args];
            int gathers = 0;
            for (int a = 0; a < args; a++)
            {
                var arg = program.Args[a];
                _slot[a] = ins.Inputs[arg.Input];
                var source = ins.InputShapes[arg.Input];
                int length = 1;
                foreach (int d in source) length *= d;
                switch (arg.View)
                {
                    case FusedView.Columns:
                        _kind[a] = Kind.Columns;
                        _columnStart[a] = arg.Start;
                        _sourceWidth[a] = source[^1];
                        _gathered[a] = gathers++;
                        break;
                    case FusedView.Rows:
                        // The rows' count is the result's, which fixes the batch size the symbolic offset counts in.
                        int batch = Shape.IsSymbolic(arg.Length) ? rows / -arg.Length : 1;
                        _kind[a] = Kind.Contiguous;
                        _offset[a] = Shape.ResolveDim(arg.Start, batch) * source[^1];
                        break;
                    default:
                        _kind[a] = length == count ? Kind.Contiguous : length == 1 ? Kind.Scalar
                            : length == _width ? Kind.Row
                            : throw new InvalidOperationException($"fused operand ${arg.Input} has {length} values for a result of {count} (row {_width})");
                        break;
                }
            }

            int steps = program.Steps.Count;
            _unary = new bool[steps];
            _unaryOp = new ElementwiseKernels<T>.UnaryOp[steps];
            _binaryOp = new ElementwiseKernels<T>.BinaryOp[steps];
            _operands = new int[steps][];
            _dest = new int[steps];
            var lastUse = new int[steps];
            for (int s = 0; s < steps; s++)
            {
                var step = program.Steps[s];
                _operands[s] = step.Operands;
                foreach (int o in step.Operands)
                    if (o < 0) lastUse[~o] = s;
                _unary[s] = FusedProgram.Arity(step.Op) == 1;
                if (_unary[s]) _unaryOp[s] = UnaryOpOf(step.Op);
                else _binaryOp[s] = BinaryOpOf(step.Op);
            }
            // Registers reused once their value is dead; the last step writes the result itself.
            var free = new Stack<int>();
            int registers = 0;
            for (int s = 0; s < steps; s++)
            {
                _dest[s] = s == steps - 1 ? -1 : free.Count > 0 ? free.Pop() : registers++;
                foreach (int o in _operands[s].Distinct())
                    if (o < 0 && lastUse[~o] == s && _dest[~o] >= 0) free.Push(_dest[~o]);
            }
            // Scratch arrays: the registers, then one per gathered operand, then one to spread a broadcast operand into.
            for (int a = 0; a < args; a++)
                if (_kind[a] == Kind.Columns) _gathered[a] += registers;
            _expanded = registers + gathers;
            _scratchCount = _expanded + 1;
            _longest = longest;
        }

        public void Execute(Instruction<T> ins, T[][] buf)
        {
            var y = buf[ins.Output];
            var scratch = Scratch(_scratchCount, _longest);
            for (int c = 1; c < _chunks.Length; c++)
            {
                int r0 = _chunks[c - 1], rows = _chunks[c] - r0, length = rows * _width;
                for (int a = 0; a < _kind.Length; a++)
                    if (_kind[a] == Kind.Columns)
                    {
                        var source = buf[_slot[a]];
                        var target = scratch[_gathered[a]];
                        int stride = _sourceWidth[a], start = _columnStart[a];
                        for (int r = 0; r < rows; r++)
                            source.AsSpan((r0 + r) * stride + start, _width).CopyTo(target.AsSpan(r * _width));
                    }
                for (int s = 0; s < _dest.Length; s++)
                {
                    var dest = _dest[s] < 0 ? y.AsSpan(r0 * _width, length) : scratch[_dest[s]].AsSpan(0, length);
                    var operands = _operands[s];
                    if (_unary[s])
                    {
                        ElementwiseKernels<T>.Unary(_unaryOp[s], Span(operands[0], buf, scratch, r0, length, out _), dest);
                        continue;
                    }
                    var a = Span(operands[0], buf, scratch, r0, length, out var ka);
                    var b = Span(operands[1], buf, scratch, r0, length, out var kb);
                    Binary(_binaryOp[s], a, ka, b, kb, dest, rows, scratch[_expanded]);
                }
            }
        }

        /// <summary>An operand's values for the piece starting at row <paramref name="r0"/>: all of them, one row, or one value.</summary>
        private ReadOnlySpan<T> Span(int operand, T[][] buf, T[][] scratch, int r0, int length, out Kind kind)
        {
            if (operand < 0)
            {
                kind = Kind.Contiguous;
                return scratch[_dest[~operand]].AsSpan(0, length);
            }
            kind = _kind[operand];
            return kind switch
            {
                Kind.Contiguous => buf[_slot[operand]].AsSpan(_offset[operand] + r0 * _width, length),
                Kind.Columns => scratch[_gathered[operand]].AsSpan(0, length),
                Kind.Row => buf[_slot[operand]].AsSpan(0, _width),
                _ => buf[_slot[operand]].AsSpan(0, 1),
            };
        }

        private void Binary(ElementwiseKernels<T>.BinaryOp op, ReadOnlySpan<T> a, Kind ka, ReadOnlySpan<T> b, Kind kb, Span<T> y, int rows, T[] expanded)
        {
            bool fullA = ka is Kind.Contiguous or Kind.Columns, fullB = kb is Kind.Contiguous or Kind.Columns;
            if (fullA && fullB) ElementwiseKernels<T>.Broadcasting.Same(a, b, y, op);
            else if (fullA && kb == Kind.Scalar) ElementwiseKernels<T>.Broadcasting.RightScalar(a, b[0], y, op);
            else if (fullB && ka == Kind.Scalar) ElementwiseKernels<T>.Broadcasting.LeftScalar(a[0], b, y, op);
            else if (fullA && kb == Kind.Row)
                for (int r = 0; r < rows; r++) ElementwiseKernels<T>.Broadcasting.Same(a.Slice(r * _width, _width), b, y.Slice(r * _width, _width), op);
            else if (fullB && ka == Kind.Row)
                for (int r = 0; r < rows; r++) ElementwiseKernels<T>.Broadcasting.Same(a, b.Slice(r * _width, _width), y.Slice(r * _width, _width), op);
            else
            {
                // Neither operand covers the piece (a row and a scalar): spread the left one out first.
                var spread = expanded.AsSpan(0, y.Length);
                if (ka == Kind.Scalar) spread.Fill(a[0]);
                else for (int r = 0; r < rows; r++) a.CopyTo(spread.Slice(r * _width, _width));
                Binary(op, spread, Kind.Contiguous, b, kb, y, rows, expanded);
            }
        }
    }

    [ThreadStatic] private static T[][]? t_scratch;

    /// <summary>
    /// This thread's scratch arrays, at least <paramref name="count"/> of at least <paramref name="length"/> values. Every
    /// fused kernel on a thread shares them (kernels on one thread run one at a time), so the registers stay in cache
    /// from one fused node to the next; they grow on the first runs only.
    /// </summary>
    private static T[][] Scratch(int count, int length)
    {
        var scratch = t_scratch;
        if (scratch is not null && scratch.Length >= count && (count == 0 || scratch[count - 1].Length >= length)) return scratch;
        int size = Math.Max(count, scratch?.Length ?? 0);
        var grown = new T[size][];
        for (int i = 0; i < size; i++)
        {
            int old = scratch is not null && i < scratch.Length ? scratch[i].Length : 0;
            grown[i] = old >= length ? scratch![i] : new T[Math.Max(length, old)];
        }
        return t_scratch = grown;
    }

    private static ElementwiseKernels<T>.UnaryOp UnaryOpOf(string op) => op switch
    {
        "neg" => ElementwiseKernels<T>.UnaryOp.Negate,
        "tanh" => ElementwiseKernels<T>.UnaryOp.Tanh,
        "sigmoid" => ElementwiseKernels<T>.UnaryOp.Sigmoid,
        "exp" => ElementwiseKernels<T>.UnaryOp.Exp,
        "log" => ElementwiseKernels<T>.UnaryOp.Log,
        "relu" => ElementwiseKernels<T>.UnaryOp.Relu,
        "softplus" => ElementwiseKernels<T>.UnaryOp.Softplus,
        "step" => ElementwiseKernels<T>.UnaryOp.Step,
        _ => throw new InvalidOperationException($"'{op}' is not a unary elementwise op"),
    };

    private static ElementwiseKernels<T>.BinaryOp BinaryOpOf(string op) => op switch
    {
        "add" => ElementwiseKernels<T>.BinaryOp.Add,
        "sub" => ElementwiseKernels<T>.BinaryOp.Subtract,
        "mul" => ElementwiseKernels<T>.BinaryOp.Multiply,
        "div" => ElementwiseKernels<T>.BinaryOp.Divide,
        "maximum" => ElementwiseKernels<T>.BinaryOp.Maximum,
        _ => throw new InvalidOperationException($"'{op}' is not a binary elementwise op"),
    };
}
