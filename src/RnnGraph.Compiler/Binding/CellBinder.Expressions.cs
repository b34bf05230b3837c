using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Equations;
using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.Binding;

public sealed partial class CellBinder
{
    private BoundExpr BindExpr(Expr expr) => expr switch
    {
        NumberExpr n => new BoundConstant(n.Value, n.Span),
        NameExpr n => BindName(n),
        PreviousExpr p => BindPrevious(p),
        UnaryExpr u => BindUnary(u),
        BinaryExpr b when b.Operator == BinaryOperator.MatMul => BindMatMul(b),
        BinaryExpr b => BindElementwiseBinary(b),
        CallExpr c => BindCall(c),
        _ => throw new InvalidOperationException($"unexpected syntax {expr.GetType().Name}"),
    };

    private BoundExpr BindName(NameExpr n)
    {
        if (n.Name == "x") return new BoundInputRef(_input, n.Span);
        if (_params.TryGetValue(n.Name, out var p))
        {
            if (p.IsMatrix)
            {
                _bag.ReportMatrixOutsideMatMul(At(n.Span), n.Name, p.ShapeText);
                return new BoundError(n.Span);
            }
            return new BoundParamRef(n.Name, p.Dims[0], n.Span);
        }
        if (_droppedParams.Contains(n.Name))
        {
            var dims = _cell.Params.First(q => q.Name.Value == n.Name).Shape;
            int size = DimensionEvaluator.Evaluate(dims[0], _hidden, _input, _source, _bag) ?? 0;
            return new BoundZero(size, n.Span);
        }
        if (_invalidParams.Contains(n.Name)) return new BoundError(n.Span);
        if (_equations.ContainsKey(n.Name))
        {
            var value = Define(n.Name, n.Span);
            if (value is BoundMatrix m)
            {
                _bag.ReportMatrixOutsideMatMul(At(n.Span), n.Name, m.ShapeText, isParameter: false);
                return new BoundError(n.Span);
            }
            return value is BoundError ? value : new BoundLocalRef(n.Name, value.Size, n.Span);
        }
        var candidates = _params.Keys.Concat(_droppedParams).Concat(_equations.Keys).Concat(_states).Append("x");
        _bag.ReportUndefinedName(At(n.Span), n.Name, StringDistance.Suggest(n.Name, candidates));
        return new BoundError(n.Span);
    }

    private BoundExpr BindPrevious(PreviousExpr p)
    {
        if (_states.Contains(p.Name.Name)) return new BoundPreviousState(p.Name.Name, _hidden, p.Span);
        if (_params.ContainsKey(p.Name.Name) || _droppedParams.Contains(p.Name.Name) || _invalidParams.Contains(p.Name.Name)
            || _equations.ContainsKey(p.Name.Name) || p.Name.Name == "x")
        {
            _bag.ReportPreviousOfNonState(At(p.Span), p.Name.Name);
        }
        else
        {
            _bag.ReportUndefinedName(At(p.Name.Span), p.Name.Name, StringDistance.Suggest(p.Name.Name, _states));
        }
        return new BoundError(p.Span);
    }

    private BoundExpr BindUnary(UnaryExpr u)
    {
        var operand = BindExpr(u.Operand);
        if (operand is BoundError) return operand;
        if (operand is BoundZero) return operand with { Span = u.Span };
        if (operand is BoundConstant c) return new BoundConstant(-c.Value, u.Span);
        return new BoundElementwise("neg", [operand], operand.Size, u.Span);
    }

    private BoundExpr BindMatMul(BinaryExpr b)
    {
        if (MisgroupedMatrix(b)) return new BoundError(b.Span);
        var vector = BindExpr(b.Right);
        var matrix = ResolveMatrix(b.Left);
        if (matrix is null)
        {
            if (b.Left is NameExpr { Name: var name } && _droppedParams.Contains(name))
            {
                _bag.ReportMatMulNeedsMatrix(At(b.Left.Span), Text(b.Left), "a dropped bias");
                return new BoundError(b.Span);
            }
            var left = BindExpr(b.Left);
            if (left is not BoundError) _bag.ReportMatMulNeedsMatrix(At(b.Left.Span), Text(b.Left), ShapeText(left));
            return new BoundError(b.Span);
        }
        if (matrix is BoundError || vector is BoundError) return new BoundError(b.Span);
        var m = (BoundMatrix)matrix;
        if (vector.Size != m.Cols)
        {
            _bag.ReportShapeMismatch(At(b.OperatorSpan), "@", Text(b.Left), m.ShapeText, Text(b.Right), ShapeText(vector));
            return new BoundError(b.Span);
        }
        if (vector is BoundZero) return new BoundZero(m.Rows, b.Span);
        return new BoundMatVec(m, vector, m.Rows, b.Span);
    }

    /// <summary>The matrix named on the left of <c>@</c>: a 2-D parameter or a local holding a piece of one; null if it is neither.</summary>
    private BoundExpr? ResolveMatrix(Expr left)
    {
        if (left is not NameExpr name) return null;
        if (_params.TryGetValue(name.Name, out var p))
            return p.IsMatrix ? new BoundMatrix(p.Name, 0, p.Dims[0], p.Dims[1], IsWhole: true, name.Span) : null;
        if (!IsMatrixLocal(name.Name)) return null;
        var value = Define(name.Name, name.Span);
        return value is BoundMatrix or BoundError ? value : null;
    }

    /// <summary>A local defined as a piece of <c>chunk(W, n)</c> with W a 2-D parameter.</summary>
    private bool IsMatrixLocal(string name) =>
        _equations.TryGetValue(name, out var eq) &&
        eq.Assignment.Value is CallExpr { Function.Name: "chunk", Arguments: [NameExpr source, ..] } &&
        _params.TryGetValue(source.Name, out var p) && p.IsMatrix;

    /// <summary>
    /// <c>a * W @ x</c> and <c>-W @ x</c> put the matrix inside the left operand of <c>@</c>; say how
    /// the expression groups instead of "a matrix can only be used on the left of '@'", which it seems to be.
    /// </summary>
    private bool MisgroupedMatrix(BinaryExpr b)
    {
        string? intended = b.Left switch
        {
            BinaryExpr { Operator: BinaryOperator.Multiply or BinaryOperator.Divide, Right: NameExpr m } p when IsMatrix(m.Name) =>
                $"{Text(p.Left)} {(p.Operator == BinaryOperator.Multiply ? "*" : "/")} ({m.Name} @ {Text(b.Right)})",
            UnaryExpr { Operand: NameExpr m } when IsMatrix(m.Name) => $"-({m.Name} @ {Text(b.Right)})",
            _ => null,
        };
        if (intended is null) return false;
        _bag.ReportMatMulGrouping(At(b.Span), Text(b), $"({Text(b.Left)}) @ {Text(b.Right)}", intended);
        return true;
    }

    private bool IsMatrix(string name) => (_params.TryGetValue(name, out var p) && p.IsMatrix) || IsMatrixLocal(name);

    private BoundExpr BindElementwiseBinary(BinaryExpr b)
    {
        var left = BindExpr(b.Left);
        var right = BindExpr(b.Right);
        if (left is BoundError) return left;
        if (right is BoundError) return right;
        string symbol = b.Operator switch { BinaryOperator.Add => "+", BinaryOperator.Subtract => "-", BinaryOperator.Multiply => "*", _ => "/" };
        if (left.Size != 0 && right.Size != 0 && left.Size != right.Size)
        {
            _bag.ReportShapeMismatch(At(b.OperatorSpan), symbol, Text(b.Left), ShapeText(left), Text(b.Right), ShapeText(right));
            return new BoundError(b.Span);
        }
        int size = Math.Max(left.Size, right.Size);

        // A dropped bias is a zero: fold it away so `W @ x + bias` becomes `W @ x` without a node.
        switch (b.Operator)
        {
            case BinaryOperator.Add when left is BoundZero && right.Size == size: return right;
            case BinaryOperator.Add or BinaryOperator.Subtract when right is BoundZero && left.Size == size: return left;
            case BinaryOperator.Subtract when left is BoundZero && right.Size == size:
                return new BoundElementwise("neg", [right], size, b.Span);
            case BinaryOperator.Multiply when left is BoundZero || right is BoundZero:
            case BinaryOperator.Divide when left is BoundZero:
                return new BoundZero(size, b.Span);
        }
        if (left is BoundZero) left = new BoundConstant(0, left.Span);
        if (right is BoundZero) right = new BoundConstant(0, right.Span);

        string op = b.Operator switch { BinaryOperator.Add => "add", BinaryOperator.Subtract => "sub", BinaryOperator.Multiply => "mul", _ => "div" };
        return new BoundElementwise(op, [left, right], size, b.Span);
    }

    private BoundExpr BindCall(CallExpr c)
    {
        string name = c.Function.Name;
        if (name == "chunk")
        {
            _bag.ReportBadChunkCount(At(c.Function.Span), "chunk(...) must be the whole right side of an assignment such as 'a, b = chunk(e, 2)'");
            return new BoundError(c.Span);
        }
        if (name == "concat")
        {
            if (c.Arguments.Count < 1)
            {
                _bag.ReportArgumentCount(At(c.Span), "concat", "one or more arguments", 0);
                return new BoundError(c.Span);
            }
            var parts = c.Arguments.Select(BindExpr).ToList();
            if (parts.FirstOrDefault(p => p is BoundError) is { } error) return error;
            var scalar = c.Arguments.Zip(parts).FirstOrDefault(p => p.Second.Size == 0);
            if (scalar.First is not null)
            {
                _bag.ReportShapeMismatch(At(scalar.First.Span), "concat", Text(scalar.First), "a scalar", "concat", "defined on vectors");
                return new BoundError(c.Span);
            }
            parts = parts.Select(p => p is BoundZero z ? z : p).ToList();
            return new BoundConcat(parts, parts.Sum(p => p.Size), c.Span);
        }
        if (!UnaryFunctions.Contains(name))
        {
            _bag.ReportUnknownFunction(At(c.Function.Span), name, StringDistance.Suggest(name, AllFunctions), AllFunctions);
            return new BoundError(c.Span);
        }
        if (c.Arguments.Count != 1)
        {
            _bag.ReportArgumentCount(At(c.Span), name, "exactly one argument", c.Arguments.Count);
            return new BoundError(c.Span);
        }
        var argument = BindExpr(c.Arguments[0]);
        if (argument is BoundError) return argument;
        if (argument is BoundZero && name is "tanh" or "relu") return argument with { Span = c.Span };
        if (argument is BoundZero) argument = new BoundConstant(0, argument.Span);
        return new BoundElementwise(name, [argument], argument.Size, c.Span);
    }

    /// <summary>Piece <paramref name="index"/> of the <c>chunk(e, n)</c> on the right of a tuple assignment.</summary>
    private BoundExpr BindChunkPiece(Assignment assignment, int index)
    {
        if (!_chunkSources.TryGetValue(assignment, out var source))
        {
            source = BindChunkSource(assignment);
            _chunkSources[assignment] = source;
        }
        if (source is BoundError) return source;
        int pieces = assignment.Targets.Count;
        if (source is BoundZero) return new BoundZero(source.Size / pieces, assignment.Targets[index].Span);
        if (source is BoundMatrix m)
        {
            int rows = m.Rows / pieces;
            return m with { RowStart = m.RowStart + index * rows, Rows = rows, IsWhole = false, Span = assignment.Targets[index].Span };
        }
        return new BoundChunkPart(source, pieces, index, assignment.Value.Span);
    }

    /// <summary>Checks <c>chunk(e, n)</c> once per assignment and binds <c>e</c>.</summary>
    private BoundExpr BindChunkSource(Assignment assignment)
    {
        if (assignment.Value is not CallExpr { Function.Name: "chunk" } call) return new BoundError(assignment.Value.Span);
        if (call.Arguments.Count != 2)
        {
            _bag.ReportArgumentCount(At(call.Span), "chunk", "two arguments: chunk(value, pieces)", call.Arguments.Count);
            return new BoundError(call.Span);
        }
        if (call.Arguments[1] is not NumberExpr { Value: var count } countExpr || count != Math.Floor(count) || count < 1 || count > 1_000_000)
        {
            _bag.ReportBadChunkCount(At(call.Arguments[1].Span), "the number of pieces in chunk(value, pieces) must be a positive integer literal");
            return new BoundError(call.Span);
        }
        int pieces = (int)count;
        if (pieces != assignment.Targets.Count)
        {
            _bag.ReportChunkArity(At(call.Span), pieces, assignment.Targets.Count);
            return new BoundError(call.Span);
        }
        // chunk of a 2-D parameter splits its rows (the gate blocks of a stacked weight).
        var source = call.Arguments[0] is NameExpr name && _params.TryGetValue(name.Name, out var p) && p.IsMatrix
            ? new BoundMatrix(p.Name, 0, p.Dims[0], p.Dims[1], IsWhole: true, name.Span)
            : BindExpr(call.Arguments[0]);
        if (source is BoundError) return source;
        if (source.Size == 0 || source.Size % pieces != 0)
        {
            string what = source is BoundMatrix m ? $"the {m.Rows} rows of {m.ShapeText}" : ShapeText(source);
            _bag.ReportBadChunkCount(At(call.Arguments[0].Span), $"chunk cannot split {what} into {pieces} equal pieces");
            return new BoundError(call.Span);
        }
        return source;
    }
}
