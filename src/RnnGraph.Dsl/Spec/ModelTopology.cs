namespace RnnGraph.Dsl.Spec;

/// <summary>
/// The model's topology as far as reading can tell, for the keys of other sections that depend on it: the word
/// written under <c>model.topology</c>, or the default (many-to-many) when none is. Null where it is unknown (no
/// readable model, or an unknown word), so those checks are skipped rather than guessed.
/// </summary>
internal readonly record struct ModelTopology(string Value, bool IsDefault)
{
    public bool IsEncoderDecoder => Value == SpecKeys.EncoderDecoder;

    /// <summary>
    /// Reports each of <paramref name="keys"/> given in <paramref name="section"/> while the topology is known and not
    /// encoder-decoder (RG0031, at the key); false then, so the caller leaves them unread.
    /// </summary>
    public static bool AllowsEncoderDecoderKeys(SpecReadContext ctx, MappingReader section, ModelTopology? topology, IReadOnlyList<string> keys)
    {
        if (topology is not { IsEncoderDecoder: false } other) return true;
        foreach (string key in keys)
        {
            if (section.KeyLocation(key) is { } at)
                ctx.Diagnostics.ReportKeyNeedsSetting(at, key, "topology", [SpecKeys.EncoderDecoder], other.Value, other.IsDefault);
        }
        return false;
    }
}
