using RnnGraph.Dsl.Text;

namespace RnnGraph.Compiler.IR;

/// <summary>Where a node came from: the spec text and the unrolled coordinates (layer, direction, step).</summary>
public sealed record NodeOrigin(TextLocation? Location, string? Scope = null, int Layer = -1, int Direction = -1, int Step = -1, string? Label = null)
{
    public static NodeOrigin None { get; } = new((TextLocation?)null);

    /// <summary>Short text like <c>rnn l1 rev t=2 c</c> for dumps and runtime errors.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Scope is not null) parts.Add(Scope);
        if (Layer >= 0) parts.Add("l" + Layer);
        if (Direction >= 0) parts.Add(Direction == 0 ? "fwd" : "rev");
        if (Step >= 0) parts.Add("t=" + Step);
        if (Label is not null) parts.Add(Label);
        return string.Join(" ", parts);
    }
}
