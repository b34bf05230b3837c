using RnnGraph.Dsl.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace RnnGraph.Dsl.Spec;

/// <summary>
/// One pass over YamlDotNet's parser events before the representation model is loaded. The loader
/// stops at the first duplicate key or unknown alias with a vague position, and some syntax errors
/// escape it as a bare InvalidOperationException; this pass reports all duplicates (naming what was
/// duplicated: a cell, an input, a parameter), aliases at their own position, and a located message
/// for every syntax error. It also bounds what a hostile file can make the readers do: its size, how deep it
/// nests, and how many nodes it holds once every alias is expanded (a few aliases of aliases can stand for billions).
/// </summary>
internal sealed class YamlPrescan
{
    /// <summary>The largest spec read, in characters; a real spec is a few kilobytes.</summary>
    internal const int MaxCharacters = 4 << 20;

    /// <summary>The deepest nesting of mappings and sequences; a real spec nests about six deep.</summary>
    internal const int MaxDepth = 64;

    /// <summary>The most nodes the document may hold with every alias expanded; a real spec has a few hundred.</summary>
    internal const long MaxExpandedNodes = 100_000;

    private readonly SpecReadContext _ctx;
    private readonly List<Frame> _stack = new();
    private readonly Dictionary<string, long> _anchors = new(StringComparer.Ordinal);
    private long _expanded;
    private bool _ok = true;

    /// <summary>Set when a limit is exceeded: scanning stops there, since whatever follows is not worth reading.</summary>
    private bool _stop;

    private YamlPrescan(SpecReadContext ctx) => _ctx = ctx;

    /// <summary>Reports every problem found; true when the text can be loaded.</summary>
    public static bool Check(SpecReadContext ctx) => new YamlPrescan(ctx).Run();

    private bool Run()
    {
        if (_ctx.Source.Text.Length > MaxCharacters)
        {
            _ctx.Diagnostics.ReportInvalidYaml(new TextLocation(_ctx.Source, new TextSpan(0, 0)),
                $"the spec is {Count(_ctx.Source.Text.Length)} characters long; specs are limited to {Count(MaxCharacters)} (is this the right file?)");
            return false;
        }
        var scanner = new Scanner(new StringReader(_ctx.Source.Text));
        var parser = new Parser(scanner);
        try
        {
            while (!_stop && parser.MoveNext()) Visit(parser.Current!);
        }
        catch (YamlException ex)
        {
            ReportSyntaxError(ex);
            return false;
        }
        catch (Exception)
        {
            // YamlDotNet's scanner throws InvalidOperationException, without a position, on some
            // unterminated flow collections; the open bracket is the likely culprit. Any other
            // exception here is the parser failing on bad input too, and must not reach the caller.
            if (!ReportUnclosedFlow())
                _ctx.Diagnostics.ReportInvalidYaml(_ctx.At(scanner.CurrentPosition), "the text cannot be parsed here");
            return false;
        }
        return _ok;
    }

    /// <summary>Reports the innermost open <c>{</c> or <c>[</c> as never closed; with <paramref name="beforeLine"/>, only one opened on an earlier line.</summary>
    private bool ReportUnclosedFlow(long? beforeLine = null)
    {
        if (_stack.LastOrDefault(f => f.IsFlow) is not { } open) return false;
        if (beforeLine is { } line && open.Start.Line >= line) return false;
        _ctx.Diagnostics.ReportInvalidYaml(_ctx.At(open.Start), $"this '{open.Opener}' is not closed by a matching '{open.Closer}'");
        return true;
    }

    private void Visit(ParsingEvent e)
    {
        // A spec is plain data: a type tag names a type some loaders would create, and this one never does.
        if (e is NodeEvent { Tag.IsEmpty: false } tagged)
        {
            _ctx.Diagnostics.ReportInvalidYaml(_ctx.At(tagged.Start),
                $"the tag '{ShortTag(tagged.Tag.Value)}' is not allowed: a spec is plain data, and values take their type from where they stand (remove the tag)");
            _ok = false;
        }
        switch (e)
        {
            case DocumentStart:
                _stack.Clear();
                _anchors.Clear(); // anchors are local to a document
                break;
            case MappingStart m:
                Open(new Frame(IsMapping: true, IsFlow: m.Style == MappingStyle.Flow, m.Start) { Anchor = AnchorName(m) });
                break;
            case SequenceStart s:
                Open(new Frame(IsMapping: false, IsFlow: s.Style == SequenceStyle.Flow, s.Start) { Anchor = AnchorName(s) });
                break;
            case MappingEnd or SequenceEnd:
                var closed = _stack[^1];
                _stack.RemoveAt(_stack.Count - 1);
                // An anchored collection stands for all it holds, each alias of it expanded included.
                if (closed.Anchor is { } name) _anchors[name] = _expanded - closed.ExpandedBefore;
                NodeDone(null);
                break;
            case Scalar scalar:
                if (AnchorName(scalar) is { } scalarAnchor) _anchors[scalarAnchor] = 1;
                Count(1, scalar);
                NodeDone(scalar);
                break;
            case AnchorAlias alias:
                if (_anchors.TryGetValue(alias.Value.Value, out long size) && !_stack.Any(f => f.Anchor == alias.Value.Value))
                    Count(size, alias, $"alias '*{alias.Value.Value}' stands for {Count(size)} nodes, which ");
                if (!_anchors.ContainsKey(alias.Value.Value))
                {
                    _ctx.Diagnostics.ReportInvalidYaml(_ctx.At(alias.Start), $"alias '*{alias.Value.Value}' refers to no anchor defined before it");
                    _ok = false;
                }
                else if (_stack.Any(f => f.Anchor == alias.Value.Value))
                {
                    // The loaded node graph would contain itself: every walk over it would never end.
                    _ctx.Diagnostics.ReportInvalidYaml(_ctx.At(alias.Start), $"alias '*{alias.Value.Value}' refers to a node that contains it; a spec cannot be recursive");
                    _ok = false;
                }
                NodeDone(null);
                break;
        }
    }

    private static string ShortTag(string tag) =>
        tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal) ? "!!" + tag["tag:yaml.org,2002:".Length..] : tag;

    private static string Count(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static string? AnchorName(NodeEvent node) => node.Anchor.IsEmpty ? null : node.Anchor.Value;

    /// <summary>A mapping or sequence starts: one node more, one level deeper.</summary>
    private void Open(Frame frame)
    {
        if (frame.Anchor is { } name) _anchors.TryAdd(name, 1); // defined from here on (an alias inside it is recursive)
        Count(1, null, null, frame.Start);
        if (_stop) return;
        if (_stack.Count >= MaxDepth)
        {
            _ctx.Diagnostics.ReportInvalidYaml(_ctx.At(frame.Start),
                $"mappings and sequences nest more than {MaxDepth} deep here; a spec needs far fewer levels");
            _ok = false;
            _stop = true;
            return;
        }
        _stack.Add(frame with { ExpandedBefore = _expanded - 1 });
    }

    /// <summary>Adds <paramref name="nodes"/> to the document's expanded size and stops at the limit.</summary>
    private void Count(long nodes, ParsingEvent? at, string? what = null, Mark? start = null)
    {
        _expanded += nodes;
        if (_expanded <= MaxExpandedNodes || _stop) return;
        _ctx.Diagnostics.ReportInvalidYaml(_ctx.At(start ?? at!.Start),
            $"{what ?? "this node "}takes the document past {Count(MaxExpandedNodes)} nodes with every alias expanded; " +
            "a spec needs a few hundred (repeated aliases of aliases grow exponentially)");
        _ok = false;
        _stop = true;
    }

    /// <summary>A node is complete: in a mapping it is alternately a key (checked for duplicates) and a value.</summary>
    private void NodeDone(Scalar? scalar)
    {
        if (_stack.Count == 0 || !_stack[^1].IsMapping) return;
        var frame = _stack[^1];
        if (!frame.ExpectKey)
        {
            frame.ExpectKey = true;
            return;
        }

        frame.ExpectKey = false;
        frame.CurrentKey = scalar?.Value;
        if (scalar is null) return;
        int line = (int)scalar.Start.Line;
        if (frame.Keys.TryGetValue(scalar.Value, out int firstLine))
            ReportDuplicate(scalar, firstLine);
        else
            frame.Keys.Add(scalar.Value, line);
    }

    private void ReportDuplicate(Scalar key, int firstLine)
    {
        _ok = false;
        var where = _ctx.Locate(key.Start, key.End);
        // The keys leading to the duplicated one say what it names.
        string?[] path = _stack.Take(_stack.Count - 1).Select(f => f.IsMapping ? f.CurrentKey : null).ToArray();
        switch (path)
        {
            case ["cells"]:
                _ctx.Diagnostics.ReportDuplicateName(where, "cell", key.Value, null, firstLine);
                break;
            case ["cells", { } cell, "params"]:
                _ctx.Diagnostics.ReportDuplicateName(where, "parameter", key.Value, cell, firstLine);
                break;
            case ["model", "inputs"]:
                _ctx.Diagnostics.ReportDuplicateName(where, "input", key.Value, null, firstLine);
                break;
            default:
                _ctx.Diagnostics.ReportDuplicateKey(where, key.Value, firstLine);
                break;
        }
    }

    private void ReportSyntaxError(YamlException ex)
    {
        // "did not find expected ',' or ']'" on a later line than the bracket: the bracket was never closed,
        // and the mark (often the end of the file) says little.
        if (ex.Message.Contains("did not find expected ','", StringComparison.Ordinal) && ReportUnclosedFlow(beforeLine: ex.Start.Line))
            return;

        // YamlDotNet's messages read "While scanning X, found Y." Keep the words, drop the capital and period.
        string message = ex.Message.TrimEnd('.');
        if (message.Length > 0) message = char.ToLowerInvariant(message[0]) + message[1..];
        var location = _ctx.At(ex.Start);
        if (message.Contains("tab", StringComparison.Ordinal))
        {
            // The mark is where the enclosing mapping began; the tab itself is more helpful.
            int tab = _ctx.Source.Text.IndexOf('\t', location.Span.Start);
            if (tab >= 0) location = location with { Span = new(tab, 1) };
        }
        _ctx.Diagnostics.ReportInvalidYaml(location, message);
    }

    private sealed record Frame(bool IsMapping, bool IsFlow, Mark Start)
    {
        public Dictionary<string, int> Keys { get; } = new(StringComparer.Ordinal);
        public bool ExpectKey { get; set; } = true;
        public string? CurrentKey { get; set; }
        public string? Anchor { get; init; }

        /// <summary>The document's expanded node count before this collection began.</summary>
        public long ExpandedBefore { get; init; }
        public char Opener => IsMapping ? '{' : '[';
        public char Closer => IsMapping ? '}' : ']';
    }
}
