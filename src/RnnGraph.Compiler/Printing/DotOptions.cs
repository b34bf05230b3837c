namespace RnnGraph.Compiler.Printing;

/// <summary>How <see cref="GraphDotPrinter"/> draws a graph: whether the middle of a long unrolling collapses, and the legend.</summary>
public sealed record DotOptions
{
    /// <summary>Above this many steps the middle steps collapse into one ellipsis node per lane.</summary>
    public const int DefaultCollapseAbove = 6;

    /// <summary>Steps drawn in full at each end of a collapsed drawing.</summary>
    public const int DefaultEndSteps = 2;

    /// <summary>Draws every step when null; otherwise collapses the middle when the graph has more steps than this.</summary>
    public int? CollapseAbove { get; init; } = DefaultCollapseAbove;

    /// <summary>Steps kept at the start and at the end when the middle collapses.</summary>
    public int EndSteps { get; init; } = DefaultEndSteps;

    /// <summary>Draws a small legend of the colors and shapes used.</summary>
    public bool Legend { get; init; } = true;

    /// <summary>The middle of more than <see cref="DefaultCollapseAbove"/> steps collapsed, with a legend.</summary>
    public static DotOptions Default { get; } = new();

    /// <summary>Every step drawn, with a legend.</summary>
    public static DotOptions Full { get; } = new() { CollapseAbove = null };
}
