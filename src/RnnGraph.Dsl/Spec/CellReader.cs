using RnnGraph.Dsl.Equations;
using RnnGraph.Dsl.Text;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>Reads the <c>cells:</c> section: user-declared cells whose shapes and equations go through the equation parser.</summary>
internal static class CellReader
{
    public static IReadOnlyList<CellSpec> ReadAll(SpecReadContext ctx, MappingReader sections)
    {
        // `cells:` with nothing under it declares no cells rather than being an error.
        if (sections.Mapping("cells", emptyIfNull: true) is not { } cellNodes) return [];
        var cells = new List<CellSpec>();
        foreach (var (name, key, value) in YamlValues.NamedEntries(ctx, cellNodes, "'cells'"))
        {
            if (Read(ctx, name, key, value) is { } cell) cells.Add(cell);
        }
        return cells;
    }

    private static CellSpec? Read(SpecReadContext ctx, Located<string> name, YamlScalarNode key, YamlNode value)
    {
        string context = $"cell '{name.Value}'";
        if (value is not YamlMappingNode mapping)
        {
            var where = YamlValues.IsNull(value) ? name.Location : ctx.Locate(value);
            ctx.Diagnostics.ReportWrongType(where, "a mapping of params, state, equations and output", context, YamlValues.Describe(value));
            return null;
        }

        var o = new MappingReader(ctx, mapping, SpecKeys.Cell, context, name.Location);
        // A cell without parameters is legal; `params:` left empty says so.
        var parameters = o.Mapping("params", emptyIfNull: true) is { } p ? ReadParams(ctx, p) : null;
        var states = o.Sequence("state") is { } s ? ReadStates(ctx, o, s, name.Value) : null;
        var equations = ReadEquations(ctx, o);
        var output = o.Name("output");

        if (parameters is null || states is null || equations is null || output is not { } output1) return null;
        return new CellSpec(name, parameters, states, equations, output1, ctx.Locate(key, value));
    }

    /// <summary>Each parameter's shape is a sequence of dimension expressions such as <c>3*hidden</c>.</summary>
    private static List<CellParamSpec> ReadParams(SpecReadContext ctx, YamlMappingNode paramNodes)
    {
        var parameters = new List<CellParamSpec>();
        foreach (var (name, key, value) in YamlValues.NamedEntries(ctx, paramNodes, "'params'"))
        {
            string subject = $"parameter '{name.Value}'";
            if (value is not YamlSequenceNode dims)
            {
                var where = YamlValues.IsNull(value) ? name.Location : ctx.Locate(value);
                ctx.Diagnostics.ReportWrongType(where, "a shape such as [hidden, input]", subject, YamlValues.Describe(value));
                continue;
            }

            var shape = new List<Expr>();
            bool complete = true;
            foreach (var dim in dims.Children)
            {
                Expr? expr = null;
                if (dim is YamlScalarNode { Value: { } text } scalar && !YamlValues.IsNull(dim))
                    expr = EquationParser.ParseExpression(ctx.Source, text, ScalarOffsetMap.Create(ctx.Source, scalar).ToSourceOffset, ctx.Diagnostics);
                else
                    ctx.Diagnostics.ReportWrongType(ctx.Locate(dim), "a dimension such as 3*hidden", subject, YamlValues.Describe(dim));

                if (expr is null) complete = false;
                else shape.Add(expr);
            }
            if (complete) parameters.Add(new CellParamSpec(name, shape, ctx.Locate(key, value)));
        }
        return parameters;
    }

    private static List<Located<string>>? ReadStates(SpecReadContext ctx, MappingReader o, YamlSequenceNode items, string cell)
    {
        if (items.Children.Count == 0)
        {
            ctx.Diagnostics.ReportEmptyList(o.KeyLocation("state")!.Value, "state");
            return null;
        }

        var states = new List<Located<string>>();
        foreach (var item in items.Children)
        {
            if (YamlValues.Name(ctx, item, "'state'", ctx.Locate(item)) is not { } state) continue;
            if (states.FirstOrDefault(s => s.Value == state.Value) is { Value: not null } first)
                ctx.Diagnostics.ReportDuplicateName(state.Location, "state", state.Value, cell, first.Location.Line);
            else
                states.Add(state);
        }
        return states;
    }

    private static EquationBlock? ReadEquations(SpecReadContext ctx, MappingReader o)
    {
        if (o.Value("equations") is not { } value) return null;
        if (value is not YamlScalarNode { Value: { } text } scalar || YamlValues.IsNull(value))
        {
            ctx.Diagnostics.ReportWrongType(o.Where("equations"), "a text block (equations: |)", "'equations'", YamlValues.Describe(value));
            return null;
        }
        return EquationParser.ParseBlock(ctx.Source, text, ScalarOffsetMap.Create(ctx.Source, scalar).ToSourceOffset, ctx.Diagnostics);
    }
}
