using System.Globalization;
using System.Text;
using RnnGraph.Compiler.IR;

namespace RnnGraph.Compiler.Passes;

/// <summary>How a fused node reads one of its inputs.</summary>
public enum FusedView
{
    /// <summary>The whole tensor: the fused node's shape, one row broadcast over the rows, or a scalar.</summary>
    Whole,

    /// <summary>Columns [Start, Start + Length) of every row (an absorbed <c>slice_last</c>).</summary>
    Columns,

    /// <summary>Rows [Start, Start + Length) of a 2-D tensor (an absorbed <c>slice_rows</c>); below zero: multiples of B.</summary>
    Rows,
}

/// <summary>One operand of a fused program: input <see cref="Input"/> of the node, seen through <see cref="View"/>.</summary>
public sealed record FusedArg(int Input, FusedView View = FusedView.Whole, int Start = 0, int Length = 0)
{
    public override string ToString() => View switch
    {
        FusedView.Columns => $"${Input}[cols {Start}:+{Length}]",
        FusedView.Rows => $"${Input}[rows {Shape.FormatDim(Start)}:+{Shape.FormatDim(Length)}]",
        _ => "$" + Input,
    };
}

/// <summary>
/// One elementwise op of a fused program. Each operand is an argument (<see cref="FusedProgram.Args"/>, index ≥ 0) or
/// the result of an earlier step k (encoded <c>~k</c>, i.e. below zero); step i's result is <c>t{i}</c>.
/// </summary>
public sealed record FusedStep(string Op, int[] Operands);

/// <summary>
/// What the <c>elementwise-fusion</c> pass puts in a <c>fused</c> node: a straight-line program of elementwise ops over
/// the node's inputs whose last step is the node's value. Its text form is the node's <c>Name</c> attribute, printed in
/// dumps, e.g. <c>t0 = add($0[rows B:+B], $1); t1 = sigmoid(t0)</c>; the runtime parses it back once per plan.
/// </summary>
public sealed class FusedProgram
{
    public FusedProgram(IReadOnlyList<FusedArg> args, IReadOnlyList<FusedStep> steps)
    {
        if (steps.Count == 0) throw new ArgumentException("a fused program needs at least one step", nameof(steps));
        Args = args;
        Steps = steps;
    }

    public IReadOnlyList<FusedArg> Args { get; }
    public IReadOnlyList<FusedStep> Steps { get; }

    /// <summary>The ops a fused program may contain: one value per element, no reductions or data movement.</summary>
    public static readonly IReadOnlySet<string> Ops = new HashSet<string>(StringComparer.Ordinal)
    {
        "add", "sub", "mul", "div", "maximum", "neg", "tanh", "sigmoid", "relu", "step", "exp", "log", "softplus",
    };

    public static int Arity(string op) => op is "add" or "sub" or "mul" or "div" or "maximum" ? 2 : 1;

    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < Steps.Count; i++)
        {
            if (i > 0) sb.Append("; ");
            sb.Append('t').Append(i.ToString(CultureInfo.InvariantCulture)).Append(" = ").Append(Steps[i].Op).Append('(');
            var operands = Steps[i].Operands;
            for (int j = 0; j < operands.Length; j++)
            {
                if (j > 0) sb.Append(", ");
                sb.Append(operands[j] >= 0 ? Args[operands[j]].ToString() : "t" + (~operands[j]).ToString(CultureInfo.InvariantCulture));
            }
            sb.Append(')');
        }
        return sb.ToString();
    }

    /// <summary>
    /// The gradient of a fused node with respect to each of its inputs: the program written out again as primitive ops
    /// (views as slices), differentiated op by op with each op's own rule, summed per input. A fused graph can be
    /// differentiated again, though the compiler fuses only after differentiation.
    /// </summary>
    public Node?[] Gradients(GraphBuilder b, Node node, Node grad)
    {
        var inputs = node.Inputs;
        var argNodes = new Node[Args.Count];
        for (int a = 0; a < argNodes.Length; a++)
        {
            var arg = Args[a];
            argNodes[a] = arg.View switch
            {
                FusedView.Columns => b.SliceLast(inputs[arg.Input], arg.Start, arg.Length),
                FusedView.Rows => b.SliceRows(inputs[arg.Input], arg.Start, arg.Length),
                _ => inputs[arg.Input],
            };
        }
        var values = new Node[Steps.Count];
        for (int s = 0; s < values.Length; s++)
            values[s] = b.Apply(Steps[s].Op, Steps[s].Operands.Select(o => o >= 0 ? argNodes[o] : values[~o]).ToArray());

        var adjoints = new Dictionary<Node, Node> { [values[^1]] = grad };
        void Accumulate(Node target, Node g) => adjoints[target] = adjoints.TryGetValue(target, out var sum) ? b.Add(sum, g) : g;
        var done = new HashSet<Node>();
        for (int s = values.Length - 1; s >= 0; s--)
        {
            var value = values[s];
            if (!done.Add(value) || !adjoints.TryGetValue(value, out var g)) continue;
            var parts = value.Op.Gradient!(b, value, g);
            for (int j = 0; j < parts.Length; j++)
                if (parts[j] is { } part) Accumulate(value.Inputs[j], part);
        }
        var result = new Node?[inputs.Count];
        for (int a = 0; a < argNodes.Length; a++)
        {
            if (!done.Add(argNodes[a]) || !adjoints.TryGetValue(argNodes[a], out var g)) continue;
            var arg = Args[a];
            var toInput = arg.View == FusedView.Whole ? g : argNodes[a].Op.Gradient!(b, argNodes[a], g)[0]!;
            result[arg.Input] = result[arg.Input] is { } sum ? b.Add(sum, toInput) : toInput;
        }
        return result;
    }

    /// <summary>Reads the text form back (<see cref="ToString"/>); throws <see cref="FormatException"/> on anything else.</summary>
    public static FusedProgram Parse(string text)
    {
        var args = new List<FusedArg>();
        var argIndex = new Dictionary<FusedArg, int>();
        var steps = new List<FusedStep>();
        foreach (string statement in text.Split(';', StringSplitOptions.TrimEntries))
        {
            int eq = statement.IndexOf('=', StringComparison.Ordinal);
            int open = statement.IndexOf('(', StringComparison.Ordinal);
            if (eq < 0 || open < eq || !statement.EndsWith(')'))
                throw new FormatException($"fused program statement '{statement}' is not 'tK = op(operands)'");
            if (statement[..eq].Trim() != "t" + steps.Count.ToString(CultureInfo.InvariantCulture))
                throw new FormatException($"fused program statement '{statement}' should define t{steps.Count}");
            string op = statement[(eq + 1)..open].Trim();
            if (!Ops.Contains(op)) throw new FormatException($"fused program uses '{op}', which is not an elementwise op");
            var operandTexts = statement[(open + 1)..^1].Split(',', StringSplitOptions.TrimEntries);
            if (operandTexts.Length != Arity(op)) throw new FormatException($"'{op}' takes {Arity(op)} operands in '{statement}'");
            var operands = new int[operandTexts.Length];
            for (int j = 0; j < operands.Length; j++)
            {
                string o = operandTexts[j];
                if (o.StartsWith('t'))
                {
                    int k = ParseInt(o[1..], statement);
                    if (k >= steps.Count) throw new FormatException($"'{o}' is used before it is defined in '{statement}'");
                    operands[j] = ~k;
                    continue;
                }
                var arg = ParseArg(o, statement);
                if (!argIndex.TryGetValue(arg, out int index))
                {
                    argIndex[arg] = index = args.Count;
                    args.Add(arg);
                }
                operands[j] = index;
            }
            steps.Add(new FusedStep(op, operands));
        }
        return new FusedProgram(args, steps);
    }

    private static FusedArg ParseArg(string text, string statement)
    {
        if (!text.StartsWith('$')) throw new FormatException($"operand '{text}' in '{statement}' is neither $input nor tK");
        int bracket = text.IndexOf('[', StringComparison.Ordinal);
        if (bracket < 0) return new FusedArg(ParseInt(text[1..], statement));
        int input = ParseInt(text[1..bracket], statement);
        if (!text.EndsWith(']')) throw new FormatException($"operand '{text}' in '{statement}' has no closing ']'");
        var parts = text[(bracket + 1)..^1].Split(' ', 2);
        var range = parts.Length == 2 ? parts[1].Split(":+") : [];
        if (range.Length != 2) throw new FormatException($"operand '{text}' in '{statement}' should read $k[cols a:+n] or $k[rows a:+n]");
        return parts[0] switch
        {
            "cols" => new FusedArg(input, FusedView.Columns, ParseInt(range[0], statement), ParseInt(range[1], statement)),
            "rows" => new FusedArg(input, FusedView.Rows, ParseDim(range[0], statement), ParseDim(range[1], statement)),
            _ => throw new FormatException($"operand '{text}' in '{statement}': unknown view '{parts[0]}'"),
        };
    }

    private static int ParseDim(string text, string statement) =>
        text == "B" ? Shape.Batch
        : text.EndsWith('B') ? Shape.BatchMultiple(ParseInt(text[..^1], statement))
        : ParseInt(text, statement);

    private static int ParseInt(string text, string statement) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value : throw new FormatException($"'{text}' in '{statement}' is not a number");
}
