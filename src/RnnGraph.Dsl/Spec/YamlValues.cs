using System.Globalization;
using RnnGraph.Dsl.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>
/// Converts YAML nodes to typed, located values, reporting a wrong type at <c>where</c> (the value,
/// or its key when the value is empty and so has no text to point at).
/// </summary>
internal static class YamlValues
{
    /// <summary>A plain empty scalar, <c>~</c> or <c>null</c>: what YAML reads as no value.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>How a node reads in "got ..." messages: <c>'abc'</c>, <c>nothing</c>, <c>a mapping</c>, <c>a sequence</c>.</summary>
    public static string Describe(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode { Value: null or "" } when IsNull(node):
                return "nothing";
            case YamlScalarNode when IsNull(node):
                return "null";
            case YamlScalarNode scalar:
                string text = scalar.Value ?? "";
                int newline = text.IndexOf('\n');
                if (newline >= 0) text = text[..newline] + "...";
                if (text.Length > 40) text = text[..37] + "...";
                return $"'{text}'";
            case YamlMappingNode:
                return "a mapping";
            case YamlSequenceNode:
                return "a sequence";
            default:
                return "an alias";
        }
    }

    /// <summary>A letter or '_', then letters, digits or '_': a name usable in equations and parameter names.</summary>
    public static bool IsName(string text) =>
        text.Length > 0
        && (char.IsAsciiLetter(text[0]) || text[0] == '_')
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    public static Located<int>? Integer(SpecReadContext ctx, YamlNode node, string subject, TextLocation where)
    {
        if (node is YamlScalarNode { Value: { } text } scalar && !IsNull(node)
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            return new Located<int>(value, ctx.Locate(scalar));
        ctx.Diagnostics.ReportWrongType(where, "an integer", subject, Describe(node));
        return null;
    }

    /// <summary>A positive integer; <paramref name="what"/> names it in the message (e.g. "hidden size").</summary>
    public static Located<int>? PositiveInteger(SpecReadContext ctx, YamlNode node, string subject, string what, TextLocation where)
    {
        var value = Integer(ctx, node, subject, where);
        if (value is { Value: <= 0 } bad)
        {
            ctx.Diagnostics.ReportNotPositive(bad.Location, what, bad.Value);
            return null;
        }
        return value;
    }

    /// <summary>
    /// A finite number in invariant culture (<c>0.002</c>, <c>2e-3</c>, <c>1</c>). NaN and infinities, whether
    /// written as YAML's <c>.nan</c>/<c>.inf</c>, .NET's <c>NaN</c>/<c>Infinity</c> or overflowing as <c>1e999</c>, are refused.
    /// </summary>
    public static Located<double>? Number(SpecReadContext ctx, YamlNode node, string subject, TextLocation where)
    {
        if (node is YamlScalarNode { Value: { } text } scalar && !IsNull(node)
            && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out double value))
        {
            if (double.IsFinite(value)) return new Located<double>(value, ctx.Locate(scalar));
            ctx.Diagnostics.ReportWrongType(where, "a finite number", subject, Describe(node));
            return null;
        }
        ctx.Diagnostics.ReportWrongType(where, "a number", subject, Describe(node));
        return null;
    }

    /// <summary>A positive finite number; <paramref name="what"/> names it in the message (e.g. "learning rate").</summary>
    public static Located<double>? PositiveNumber(SpecReadContext ctx, YamlNode node, string subject, string what, TextLocation where)
    {
        var value = Number(ctx, node, subject, where);
        if (value is { Value: <= 0 } bad)
        {
            ctx.Diagnostics.ReportNotPositiveNumber(bad.Location, what, bad.Value);
            return null;
        }
        return value;
    }

    /// <summary>A non-negative integer, such as a seed.</summary>
    public static Located<int>? NonNegativeInteger(SpecReadContext ctx, YamlNode node, string subject, string what, TextLocation where)
    {
        var value = Integer(ctx, node, subject, where);
        if (value is { Value: < 0 } bad)
        {
            ctx.Diagnostics.ReportNegative(bad.Location, what, bad.Value);
            return null;
        }
        return value;
    }

    /// <summary>
    /// Any scalar taken as text, such as a path or inline data; may be empty only when quoted (<c>""</c>),
    /// since a plain empty value is YAML's null.
    /// </summary>
    public static Located<string>? String(SpecReadContext ctx, YamlNode node, string subject, TextLocation where)
    {
        if (node is YamlScalarNode { Value: var text } scalar && !IsNull(node))
            return new Located<string>(text ?? "", ctx.Locate(scalar));
        ctx.Diagnostics.ReportWrongType(where, "a string", subject, Describe(node));
        return null;
    }

    /// <summary>YAML 1.2 core booleans only: <c>yes</c>/<c>on</c> are YAML 1.1 and read as strings elsewhere, so they are refused.</summary>
    public static Located<bool>? Boolean(SpecReadContext ctx, YamlNode node, string subject, TextLocation where)
    {
        if (node is YamlScalarNode scalar)
        {
            bool? value = scalar.Value switch
            {
                "true" or "True" or "TRUE" => true,
                "false" or "False" or "FALSE" => false,
                _ => null,
            };
            if (value is { } b) return new Located<bool>(b, ctx.Locate(scalar));
        }
        ctx.Diagnostics.ReportWrongType(where, "a boolean (true or false)", subject, Describe(node));
        return null;
    }

    /// <summary>Any non-empty scalar, such as an activation, checked against its own list by the caller.</summary>
    public static Located<string>? Word(SpecReadContext ctx, YamlNode node, string subject, TextLocation where)
    {
        if (node is YamlScalarNode { Value: { } text } scalar && !IsNull(node))
            return new Located<string>(text, ctx.Locate(scalar));
        ctx.Diagnostics.ReportWrongType(where, "a name", subject, Describe(node));
        return null;
    }

    /// <summary>A scalar that must be a valid name (see <see cref="IsName"/>).</summary>
    public static Located<string>? Name(SpecReadContext ctx, YamlNode node, string subject, TextLocation where)
    {
        var word = Word(ctx, node, subject, where);
        return word is { } w ? CheckName(ctx, w) : null;
    }

    /// <summary>Reports and drops a name that is not an identifier.</summary>
    public static Located<string>? CheckName(SpecReadContext ctx, Located<string> name)
    {
        if (IsName(name.Value)) return name;
        ctx.Diagnostics.ReportInvalidName(name.Location, name.Value);
        return null;
    }

    /// <summary>
    /// The entries of a mapping whose keys are user-chosen names (inputs, cells, parameters);
    /// entries whose key is not a valid name are reported and skipped.
    /// </summary>
    public static IEnumerable<(Located<string> Name, YamlScalarNode Key, YamlNode Value)> NamedEntries(
        SpecReadContext ctx, YamlMappingNode mapping, string subject)
    {
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } text } key)
            {
                ctx.Diagnostics.ReportWrongType(ctx.Locate(keyNode), "a name", subject, Describe(keyNode));
                continue;
            }
            if (CheckName(ctx, new Located<string>(text, ctx.Locate(key))) is { } name)
                yield return (name, key, value);
        }
    }
}
