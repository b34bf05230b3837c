using System.Globalization;
using RnnGraph.Dsl.Diagnostics;
using RnnGraph.Dsl.Text;
using YamlDotNet.RepresentationModel;

namespace RnnGraph.Dsl.Spec;

/// <summary>
/// A YAML mapping checked against its <see cref="KeyTable"/>. Unknown and missing required keys
/// are reported once, on construction; values are then fetched by key with typed getters that
/// report a wrong type and return null, so readers simply skip what is missing or wrong.
/// </summary>
internal sealed class MappingReader
{
    private readonly SpecReadContext _ctx;
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _suggested = new(StringComparer.Ordinal);
    private readonly string _context;
    private readonly TextLocation _owner;

    /// <param name="context">How the mapping is named in messages: <c>rnn layer</c>, <c>input 'x'</c>, <c>'model'</c>.</param>
    /// <param name="owner">Where a missing key is reported: the key that holds this mapping.</param>
    public MappingReader(SpecReadContext ctx, YamlMappingNode node, KeyTable keys, string context, TextLocation owner)
    {
        _ctx = ctx;
        _context = context;
        _owner = owner;
        foreach (var (keyNode, value) in node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalarKey)
            {
                ctx.Diagnostics.ReportWrongType(ctx.Locate(keyNode), "a key name", context, YamlValues.Describe(keyNode));
                continue;
            }
            if (!keys.Contains(key))
            {
                ctx.Diagnostics.ReportUnknownKey(ctx.Locate(scalarKey), key, context, keys.All);
                if (StringDistance.Suggest(key, keys.All) is { } suggestion) _suggested.Add(suggestion);
                continue;
            }
            _entries[key] = (scalarKey, value);
        }

        foreach (string key in keys.Required) Require(key);
    }

    /// <summary>Reports <paramref name="key"/> missing (RG0006) unless it is given; for keys required only in some cases, like 'layers'.</summary>
    public void Require(string key)
    {
        if (IsMissing(key)) _ctx.Diagnostics.ReportMissingKey(_owner, _context, key);
    }

    /// <summary>
    /// Whether <paramref name="key"/> is absent and not merely misspelt: a misspelt key ("hiden") already got
    /// "did you mean 'hidden'?", and saying it is missing too is noise.
    /// </summary>
    public bool IsMissing(string key) => !_entries.ContainsKey(key) && !_suggested.Contains(key);

    public bool Has(string key) => _entries.ContainsKey(key);

    public YamlScalarNode? KeyNode(string key) => _entries.TryGetValue(key, out var e) ? e.Key : null;

    public TextLocation? KeyLocation(string key) => _entries.TryGetValue(key, out var e) ? _ctx.Locate(e.Key) : null;

    public YamlNode? Value(string key) => _entries.TryGetValue(key, out var e) ? e.Value : null;

    /// <summary>The key and its value, e.g. for the location of a whole section.</summary>
    public TextLocation? EntryLocation(string key) =>
        _entries.TryGetValue(key, out var e) ? _ctx.Locate(e.Key, e.Value) : null;

    public Located<int>? PositiveInteger(string key, string what) =>
        Read(key, (node, subject, where) => YamlValues.PositiveInteger(_ctx, node, subject, what, where));

    public Located<int>? NonNegativeInteger(string key, string what) =>
        Read(key, (node, subject, where) => YamlValues.NonNegativeInteger(_ctx, node, subject, what, where));

    /// <summary>
    /// A positive integer or the word <c>auto</c> (a size taken from the data): <c>auto</c> reads as 0 located
    /// at the word, with <paramref name="auto"/> set.
    /// </summary>
    public Located<int>? PositiveIntegerOrAuto(string key, string what, out bool auto)
    {
        auto = false;
        if (!_entries.TryGetValue(key, out var e)) return null;
        if (e.Value is YamlScalarNode { Value: "auto" } word)
        {
            auto = true;
            return new Located<int>(0, _ctx.Locate(word));
        }
        if (e.Value is not YamlScalarNode { Value: { } text } || YamlValues.IsNull(e.Value)
            || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            _ctx.Diagnostics.ReportWrongType(Where(key), "an integer or auto", $"'{key}'", YamlValues.Describe(e.Value));
            return null;
        }
        return PositiveInteger(key, what);
    }

    public Located<double>? Number(string key) =>
        Read(key, (node, subject, where) => YamlValues.Number(_ctx, node, subject, where));

    public Located<double>? PositiveNumber(string key, string what) =>
        Read(key, (node, subject, where) => YamlValues.PositiveNumber(_ctx, node, subject, what, where));

    /// <summary>Text as written (see <see cref="YamlValues.String"/>).</summary>
    public Located<string>? String(string key) =>
        Read(key, (node, subject, where) => YamlValues.String(_ctx, node, subject, where));

    /// <summary>A word from a fixed list (a format, an optimizer); anything else gets "did you mean" and reads as null.</summary>
    public Located<string>? Choice(string key, string what, IReadOnlyList<string> choices)
    {
        if (Word(key) is not { } word) return null;
        if (choices.Contains(word.Value)) return word;
        _ctx.Diagnostics.ReportUnknownChoice(word.Location, what, word.Value, choices);
        return null;
    }

    public Located<bool>? Boolean(string key) =>
        Read(key, (node, subject, where) => YamlValues.Boolean(_ctx, node, subject, where));

    public Located<string>? Name(string key) =>
        Read(key, (node, subject, where) => YamlValues.Name(_ctx, node, subject, where));

    public Located<string>? Word(string key) =>
        Read(key, (node, subject, where) => YamlValues.Word(_ctx, node, subject, where));

    /// <summary>The mapping under <paramref name="key"/>; with <paramref name="emptyIfNull"/> an empty value counts as <c>{}</c>.</summary>
    public YamlMappingNode? Mapping(string key, bool emptyIfNull = false) =>
        Collection<YamlMappingNode>(key, "a mapping", emptyIfNull ? () => new YamlMappingNode() : null);

    public YamlSequenceNode? Sequence(string key) => Collection<YamlSequenceNode>(key, "a sequence", null);

    /// <summary>A list of strings (<c>[open, close]</c>), or one string as a list of one; each element located. Null when absent or wrong.</summary>
    public IReadOnlyList<Located<string>>? StringList(string key)
    {
        if (!_entries.TryGetValue(key, out var e)) return null;
        if (e.Value is YamlScalarNode && !YamlValues.IsNull(e.Value)) return String(key) is { } one ? [one] : null;
        if (Sequence(key) is not { } sequence) return null;
        var items = new List<Located<string>>();
        foreach (var item in sequence.Children)
        {
            if (YamlValues.String(_ctx, item, $"an item of '{key}'", _ctx.Locate(item)) is { } value) items.Add(value);
        }
        if (items.Count == 0 && sequence.Children.Count == 0)
            _ctx.Diagnostics.ReportWrongType(Where(key), "a non-empty list", $"'{key}'", "an empty list");
        return items.Count == sequence.Children.Count && items.Count > 0 ? items : null;
    }

    /// <summary>Where a problem with the value of <paramref name="key"/> is reported: the value, or the key if the value is empty.</summary>
    public TextLocation Where(string key)
    {
        var (keyNode, value) = _entries[key];
        return YamlValues.IsNull(value) ? _ctx.Locate(keyNode) : _ctx.Locate(value);
    }

    private T? Collection<T>(string key, string expected, Func<T>? ifNull) where T : YamlNode
    {
        if (!_entries.TryGetValue(key, out var e)) return null;
        if (e.Value is T collection) return collection;
        if (ifNull is not null && YamlValues.IsNull(e.Value)) return ifNull();
        _ctx.Diagnostics.ReportWrongType(Where(key), expected, $"'{key}'", YamlValues.Describe(e.Value));
        return null;
    }

    private T? Read<T>(string key, Func<YamlNode, string, TextLocation, T?> convert) where T : struct =>
        _entries.TryGetValue(key, out var e) ? convert(e.Value, $"'{key}'", Where(key)) : null;
}
