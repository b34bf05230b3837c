using System.Globalization;
using System.Text;
using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>
/// Applies command-line overrides (<c>--set training.epochs=2</c>) to a spec's YAML text before it is read.
/// The text is edited in place (a scalar replaced, or a missing key inserted) so the rest of the file keeps
/// its positions; the value itself is validated later by the ordinary reader, at the edited text.
/// </summary>
public static class SpecOverrides
{
    /// <summary>
    /// The spec text with each <c>KEY=VALUE</c> assignment applied in order; keys are dotted paths through
    /// mappings (keys) and lists (0-based indices). Problems are reported to <paramref name="diagnostics"/>.
    /// </summary>
    public static SourceText Apply(SourceText source, IReadOnlyList<string> assignments, DiagnosticBag diagnostics)
    {
        foreach (string assignment in assignments)
        {
            if (Parse(assignment, diagnostics) is not { } parsed) continue;
            // The YAML itself may be broken: leave the text as it is for the reader to report.
            if (LoadRoot(source) is not { } root) return source;
            if (Edit(source, root, parsed.Path, parsed.Value, diagnostics) is { } edited)
                source = new SourceText(source.Path, edited);
        }
        return source;
    }

    private static (string[] Path, string Value)? Parse(string assignment, DiagnosticBag diagnostics)
    {
        int eq = assignment.IndexOf('=');
        if (eq < 0)
        {
            diagnostics.ReportMalformedOverride(assignment, "it has no '='");
            return null;
        }
        string key = assignment[..eq].Trim();
        if (key.Length == 0)
        {
            diagnostics.ReportMalformedOverride(assignment, "the key before '=' is empty");
            return null;
        }
        string[] path = key.Split('.');
        if (path.Any(p => p.Trim().Length == 0))
        {
            diagnostics.ReportMalformedOverride(assignment, $"the key '{key}' has an empty part");
            return null;
        }
        return (path.Select(p => p.Trim()).ToArray(), assignment[(eq + 1)..]);
    }

    private static YamlNode? LoadRoot(SourceText source)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(source.Text));
            return stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        }
        catch (YamlException) { return null; }
        catch (InvalidOperationException) { return null; }
    }

    /// <summary>The edited text, or null after reporting why the path does not lead to a value.</summary>
    private static string? Edit(SourceText source, YamlNode root, string[] path, string value, DiagnosticBag diagnostics)
    {
        YamlNode node = root;
        for (int i = 0; i < path.Length; i++)
        {
            string here = string.Join('.', path.Take(i + 1));
            string parent = string.Join('.', path.Take(i));
            bool last = i == path.Length - 1;
            switch (node)
            {
                case YamlMappingNode mapping:
                    {
                        var entry = mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode k && k.Value == path[i]);
                        if (entry.Key is null)
                        {
                            if (last) return Insert(source, mapping, path[i], value);
                            var keys = mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").ToList();
                            string? suggestion = StringDistance.Suggest(path[i], keys);
                            diagnostics.ReportOverrideMissingKey(here, suggestion is null ? null : parent.Length == 0 ? suggestion : $"{parent}.{suggestion}");
                            return null;
                        }
                        node = entry.Value;
                        break;
                    }
                case YamlSequenceNode sequence:
                    {
                        int count = sequence.Children.Count;
                        if (!int.TryParse(path[i], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                        {
                            diagnostics.ReportOverrideNotAnIndex(here, parent, count);
                            return null;
                        }
                        if (index >= count)
                        {
                            diagnostics.ReportOverrideIndexOutOfRange(here, i > 0 ? path[i - 1] : "items", count);
                            return null;
                        }
                        node = sequence.Children[index];
                        break;
                    }
                default:
                    diagnostics.ReportOverrideThroughValue(here, parent);
                    return null;
            }
        }
        string full = string.Join('.', path);
        if (node is not YamlScalarNode scalar)
        {
            diagnostics.ReportOverrideNotAValue(full, node is YamlSequenceNode ? "list" : "section");
            return null;
        }
        int start = Offset(source, scalar.Start);
        int end = Math.Max(start, Offset(source, scalar.End));
        if (scalar.Style is ScalarStyle.Literal or ScalarStyle.Folded) end = LineEnd(source, LastLine(source, scalar));
        string text = Format(value);
        // An empty value ('key:') has no text of its own: keep a space after the colon.
        if (start == end && start > 0 && source.Text[start - 1] == ':') text = " " + text;
        return source.Text[..start] + text + source.Text[end..];
    }

    private static string Insert(SourceText source, YamlMappingNode mapping, string key, string value)
    {
        string entry = $"{Format(key)}: {Format(value)}";
        if (mapping.Style == MappingStyle.Flow)
        {
            if (mapping.Children.Count == 0)
            {
                int brace = Offset(source, mapping.End) - 1;
                return source.Text[..brace] + " " + entry + " " + source.Text[brace..];
            }
            int after = Offset(source, mapping.Children.Last().Value.End);
            if (mapping.Children.Last().Value is YamlScalarNode { Style: not (ScalarStyle.Literal or ScalarStyle.Folded) } or YamlMappingNode { Style: MappingStyle.Flow } or YamlSequenceNode { Style: SequenceStyle.Flow })
                return source.Text[..after] + ", " + entry + source.Text[after..];
            int close = Offset(source, mapping.End) - 1;
            return source.Text[..close] + ", " + entry + " " + source.Text[close..];
        }
        int indent = (int)mapping.Children.First().Key.Start.Column - 1;
        int lineEnd = LineEnd(source, LastLine(source, mapping));
        string newline = source.Text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        return source.Text[..lineEnd] + newline + new string(' ', indent) + entry + source.Text[lineEnd..];
    }

    /// <summary>The 0-based index of the last line holding text of <paramref name="node"/>.</summary>
    private static int LastLine(SourceText source, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode { Style: not MappingStyle.Flow } mapping when mapping.Children.Count > 0:
                return LastLine(source, mapping.Children.Last().Value);
            case YamlSequenceNode { Style: not SequenceStyle.Flow } sequence when sequence.Children.Count > 0:
                return LastLine(source, sequence.Children.Last());
            case YamlScalarNode { Style: ScalarStyle.Literal or ScalarStyle.Folded } scalar:
                {
                    // A block scalar ends at the start of the line after it, past trailing blank lines.
                    int line = (int)scalar.End.Line - 1;
                    if (scalar.End.Column == 1 && line > (int)scalar.Start.Line - 1) line--;
                    while (line > (int)scalar.Start.Line - 1 && line < source.LineCount && source.GetLineText(line).Trim().Length == 0) line--;
                    return Math.Min(line, source.LineCount - 1);
                }
            default:
                {
                    int start = Offset(source, node.Start);
                    int end = Math.Max(start, Offset(source, node.End) - 1);
                    return source.GetLineIndex(Math.Min(end, Math.Max(0, source.Text.Length - 1)));
                }
        }
    }

    /// <summary>The offset of the end of line <paramref name="line"/>, before its line break.</summary>
    private static int LineEnd(SourceText source, int line)
    {
        int offset = source.GetLineStart(line);
        while (offset < source.Text.Length && source.Text[offset] is not ('\n' or '\r')) offset++;
        return offset;
    }

    private static int Offset(SourceText source, Mark mark) =>
        Math.Min(source.Text.Length, source.GetOffset((int)mark.Line - 1, (int)mark.Column - 1));

    /// <summary><paramref name="value"/> as a plain scalar, or double-quoted when plain would change or break it.</summary>
    internal static string Format(string value)
    {
        if (!NeedsQuotes(value)) return value;
        var sb = new StringBuilder("\"");
        foreach (char c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    private static bool NeedsQuotes(string value)
    {
        if (value.Length == 0 || value.Trim() != value) return true;
        if (value.Any(c => char.IsControl(c) || c is ',' or '[' or ']' or '{' or '}' or '#' or '"' or '\'' or '`')) return true;
        if (value.Contains(": ", StringComparison.Ordinal) || value.EndsWith(':')) return true;
        if (value[0] is '&' or '*' or '!' or '|' or '>' or '%' or '@') return true;
        if (value[0] is '-' or '?' or ':' && (value.Length == 1 || value[1] == ' ')) return true;
        return false;
    }
}
