using RnnGraph.Runtime.IO;
using RnnGraph.Runtime.Kernels;

namespace RnnGraph.Onnx.Ops;

/// <summary>
/// ONNX's RNN, GRU and LSTM operators with every attribute and input of the operator spec: direction
/// (forward, reverse, bidirectional), layout, hidden_size, activations with alpha/beta, clip, linear_before_reset
/// (GRU), input_forget and peepholes (LSTM), sequence_lens, initial_h and initial_c. Gate orders are ONNX's:
/// GRU z,r,h and LSTM i,o,f,c; B holds the W-biases then the R-biases. Steps past a sequence's length give
/// Y = 0 and leave the state as it was, so Y_h/Y_c are the states after each sequence's last step.
/// Computed in double and rounded once to the input type.
/// </summary>
internal static class RecurrentOps
{
    private enum Cell { Rnn, Gru, Lstm }

    public static void Register(Dictionary<string, OpKernel> table)
    {
        table["RNN"] = c => Run(c, Cell.Rnn);
        table["GRU"] = c => Run(c, Cell.Gru);
        table["LSTM"] = c => Run(c, Cell.Lstm);
    }

    private static TensorValue?[] Run(OpContext c, Cell cell)
    {
        int gates = cell switch { Cell.Rnn => 1, Cell.Gru => 3, _ => 4 };
        var x = c.Input(0, "X");
        var w = c.Input(1, "W");
        var r = c.Input(2, "R");
        var bias = c.Optional(3);
        var lengths = c.Optional(4);
        var initialH = c.Optional(5);
        var initialC = cell == Cell.Lstm ? c.Optional(6) : null;
        var peepholes = cell == Cell.Lstm ? c.Optional(7) : null;
        if (!Tensors.IsFloat(x.DType)) throw c.Fail($"X must be floating point but is {x}");

        string direction = c.String("direction", "forward");
        int directions = direction switch
        {
            "forward" or "reverse" => 1,
            "bidirectional" => 2,
            _ => throw c.Fail($"direction '{direction}' is not forward, reverse or bidirectional"),
        };
        long layout = c.Int("layout", 0);
        if (layout is not (0 or 1)) throw c.Fail($"layout {layout} is not 0 or 1");
        if (x.Shape.Length != 3) throw c.Fail($"X must be 3-D ({(layout == 0 ? "[seq_length, batch_size, input_size]" : "[batch_size, seq_length, input_size]")}) but is {x}");
        int steps = layout == 0 ? x.Shape[0] : x.Shape[1];
        int batch = layout == 0 ? x.Shape[1] : x.Shape[0];
        int input = x.Shape[2];
        if (w.Shape.Length != 3 || w.Shape[0] != directions || w.Shape[1] % gates != 0 || w.Shape[2] != input)
            throw c.Fail($"W is {w} but must be [{directions}, {gates}*hidden_size, {input}] (num_directions, gates x hidden, input_size)");
        int hidden = (int)(c.IntOrNull("hidden_size") ?? w.Shape[1] / gates);
        int gh = gates * hidden;
        if (w.Shape[1] != gh) throw c.Fail($"W is {w} but hidden_size {hidden} needs [{directions}, {gh}, {input}]");
        Expect(c, r, "R", [directions, gh, hidden]);
        if (bias is not null) Expect(c, bias, "B", [directions, 2 * gh]);
        if (peepholes is not null) Expect(c, peepholes, "P", [directions, 3 * hidden]);
        int[] stateShape = layout == 0 ? [directions, batch, hidden] : [batch, directions, hidden];
        if (initialH is not null) Expect(c, initialH, "initial_h", stateShape);
        if (initialC is not null) Expect(c, initialC, "initial_c", stateShape);

        double? clip = c.Attribute("clip") is { } clipAttribute ? clipAttribute.F : null;
        if (clip is <= 0) throw c.Fail($"clip {clip} must be positive");
        bool linearBeforeReset = cell == Cell.Gru && c.Int("linear_before_reset", 0) != 0;
        bool inputForget = cell == Cell.Lstm && c.Int("input_forget", 0) != 0;
        string[] defaults = cell switch { Cell.Rnn => ["Tanh"], Cell.Gru => ["Sigmoid", "Tanh"], _ => ["Sigmoid", "Tanh", "Tanh"] };
        var activations = Activations.Resolve(c, defaults, directions);

        var length = new int[batch];
        if (lengths is null) Array.Fill(length, steps);
        else
        {
            if (lengths.Shape.Length != 1 || lengths.Shape[0] != batch) throw c.Fail($"sequence_lens is {lengths} but must be [{batch}] (one length per batch entry)");
            if (Tensors.IsFloat(lengths.DType)) throw c.Fail($"sequence_lens must be int32 but is {lengths}");
            var values = lengths.ToInt64Array();
            for (int b = 0; b < batch; b++)
            {
                if (values[b] < 0 || values[b] > steps) throw c.Fail($"sequence_lens[{b}] = {values[b]} lies outside 0..{steps} (the sequence length of X)");
                length[b] = (int)values[b];
            }
        }

        // X as [T, B, I] doubles.
        double[] xs = (layout == 0 ? x : ShapeOps.Permute(x, [1, 0, 2])).ToDoubleArray();
        double[] ws = w.ToDoubleArray(), rs = r.ToDoubleArray();
        double[]? bs = bias?.ToDoubleArray(), ps = peepholes?.ToDoubleArray();
        // States as [D, B, H] doubles.
        double[]? h0 = initialH is null ? null : (layout == 0 ? initialH : ShapeOps.Permute(initialH, [1, 0, 2])).ToDoubleArray();
        double[]? c0 = initialC is null ? null : (layout == 0 ? initialC : ShapeOps.Permute(initialC, [1, 0, 2])).ToDoubleArray();

        var y = new double[steps * directions * batch * hidden];   // [T, D, B, H]
        var yh = new double[directions * batch * hidden];           // [D, B, H]
        var yc = new double[directions * batch * hidden];
        int bh = batch * hidden;
        for (int d = 0; d < directions; d++)
        {
            bool reverse = direction == "reverse" || d == 1;
            var f = activations.AsSpan(d * defaults.Length, defaults.Length).ToArray();
            var wd = ws.AsSpan(d * gh * input, gh * input).ToArray();
            var rd = rs.AsSpan(d * gh * hidden, gh * hidden).ToArray();
            // Input projections of every step at once: [T*B, G*H] = X W^T + Wb.
            var xw = new double[steps * batch * gh];
            MatMulKernel<double>.Multiply(xs, wd, xw, steps * batch, gh, input, false, true);
            if (bs is not null)
                for (int row = 0; row < steps * batch; row++)
                    for (int j = 0; j < gh; j++) xw[row * gh + j] += bs[d * 2 * gh + j];
            double[]? rb = bs?.AsSpan(d * 2 * gh + gh, gh).ToArray();
            double[]? pd = ps?.AsSpan(d * 3 * hidden, 3 * hidden).ToArray();

            var h = h0 is null ? new double[bh] : h0.AsSpan(d * bh, bh).ToArray();
            var cs = c0 is null ? new double[bh] : c0.AsSpan(d * bh, bh).ToArray();
            var hr = new double[batch * gh];
            var resetH = new double[bh];
            var resetProduct = new double[bh];
            var rh = cell == Cell.Gru && !linearBeforeReset ? rd.AsSpan(2 * hidden * hidden, hidden * hidden).ToArray() : null;
            for (int s = 0; s < steps; s++)
            {
                // Recurrent projections for the whole batch: [B, G*H] = H R^T (+ Rb).
                MatMulKernel<double>.Multiply(h, rd, hr, batch, gh, hidden, false, true);
                if (rb is not null)
                    for (int b = 0; b < batch; b++)
                        for (int j = 0; j < gh; j++) hr[b * gh + j] += rb[j];
                if (rh is not null)
                {
                    // Original GRU (linear_before_reset = 0): the reset gate scales h before R_h.
                    for (int b = 0; b < batch; b++)
                        for (int j = 0; j < hidden; j++)
                        {
                            double rGate = Apply(f[0], Pre(xw, (s, b), 1, j, steps, batch, gh, hidden, length[b], reverse) + hr[b * gh + hidden + j], clip);
                            resetH[b * hidden + j] = rGate * h[b * hidden + j];
                        }
                    MatMulKernel<double>.Multiply(resetH, rh, resetProduct, batch, hidden, hidden, false, true);
                }
                for (int b = 0; b < batch; b++)
                {
                    if (s >= length[b]) continue;
                    int t = reverse ? length[b] - 1 - s : s;
                    int xrow = (t * batch + b) * gh, hrow = b * gh;
                    for (int j = 0; j < hidden; j++)
                    {
                        int at = b * hidden + j;
                        double next;
                        switch (cell)
                        {
                            case Cell.Rnn:
                                next = Apply(f[0], xw[xrow + j] + hr[hrow + j], clip);
                                break;
                            case Cell.Gru:
                                {
                                    double z = Apply(f[0], xw[xrow + j] + hr[hrow + j], clip);
                                    double rGate = Apply(f[0], xw[xrow + hidden + j] + hr[hrow + hidden + j], clip);
                                    double candidate = linearBeforeReset
                                        ? xw[xrow + 2 * hidden + j] + rGate * hr[hrow + 2 * hidden + j]
                                        : xw[xrow + 2 * hidden + j] + resetProduct[at] + (rb is null ? 0 : rb[2 * hidden + j]);
                                    double hh = Apply(f[1], candidate, clip);
                                    next = (1 - z) * hh + z * h[at];
                                    break;
                                }
                            default:
                                {
                                    double cPrev = cs[at];
                                    double preI = xw[xrow + j] + hr[hrow + j] + (pd is null ? 0 : pd[j] * cPrev);
                                    double i = Apply(f[0], preI, clip);
                                    double forget = inputForget
                                        ? 1 - i
                                        : Apply(f[0], xw[xrow + 2 * hidden + j] + hr[hrow + 2 * hidden + j] + (pd is null ? 0 : pd[2 * hidden + j] * cPrev), clip);
                                    double g = Apply(f[1], xw[xrow + 3 * hidden + j] + hr[hrow + 3 * hidden + j], clip);
                                    double cNext = forget * cPrev + i * g;
                                    double o = Apply(f[0], xw[xrow + hidden + j] + hr[hrow + hidden + j] + (pd is null ? 0 : pd[hidden + j] * cNext), clip);
                                    next = o * f[2].Apply(cNext);
                                    cs[at] = cNext;
                                    break;
                                }
                        }
                        y[((t * directions + d) * batch + b) * hidden + j] = next;
                    }
                }
                // States move only where the step was inside the sequence.
                for (int b = 0; b < batch; b++)
                {
                    if (s >= length[b]) continue;
                    int t = reverse ? length[b] - 1 - s : s;
                    Array.Copy(y, ((t * directions + d) * batch + b) * hidden, h, b * hidden, hidden);
                }
            }
            Array.Copy(h, 0, yh, d * bh, bh);
            Array.Copy(cs, 0, yc, d * bh, bh);
        }

        var dtype = x.DType;
        TensorValue? yOut = null, yhOut = null, ycOut = null;
        if (c.Wants(0))
        {
            var t = Tensors.FromDoubles(dtype, [steps, directions, batch, hidden], y);
            yOut = layout == 0 ? t : ShapeOps.Permute(t, [2, 0, 1, 3]);
        }
        if (c.Wants(1))
        {
            var t = Tensors.FromDoubles(dtype, [directions, batch, hidden], yh);
            yhOut = layout == 0 ? t : ShapeOps.Permute(t, [1, 0, 2]);
        }
        if (cell == Cell.Lstm && c.Wants(2))
        {
            var t = Tensors.FromDoubles(dtype, [directions, batch, hidden], yc);
            ycOut = layout == 0 ? t : ShapeOps.Permute(t, [1, 0, 2]);
        }
        return cell == Cell.Lstm ? [yOut, yhOut, ycOut] : [yOut, yhOut];
    }

    // The input pre-activation of gate `gate` at the step the batch entry is at (for the GRU reset gate computed before the loop).
    private static double Pre(double[] xw, (int s, int b) at, int gate, int j, int steps, int batch, int gh, int hidden, int length, bool reverse)
    {
        if (at.s >= length) return 0;
        int t = reverse ? length - 1 - at.s : at.s;
        return xw[(t * batch + at.b) * gh + gate * hidden + j];
    }

    private static double Apply(Activations.Function f, double pre, double? clip) =>
        f.Apply(clip is { } limit ? Math.Clamp(pre, -limit, limit) : pre);

    private static void Expect(OpContext c, TensorValue t, string name, int[] shape)
    {
        if (!t.Shape.SequenceEqual(shape)) throw c.Fail($"{name} is {t} but must be {Tensors.Format(shape)}");
    }
}
