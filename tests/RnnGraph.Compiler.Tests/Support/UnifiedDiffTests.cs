using RnnGraph.TestSupport;

namespace RnnGraph.Compiler.Tests.Support;

/// <summary>The diff shown on a snapshot mismatch, compared with what <c>diff -u</c> prints for the same files.</summary>
public sealed class UnifiedDiffTests
{
    private static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + "\n"));

    private static readonly string Ten = Lines("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

    [Fact]
    public void Equal_texts_give_no_diff()
    {
        Assert.Equal("", UnifiedDiff.Render(Ten, Ten));
    }

    [Fact]
    public void A_changed_line_shows_with_three_lines_of_context()
    {
        string actual = Ten.Replace("e\n", "E\n");
        Assert.Equal(Lines("--- verified", "+++ received", "@@ -2,7 +2,7 @@", " b", " c", " d", "-e", "+E", " f", " g", " h"),
                     UnifiedDiff.Render(Ten, actual));
    }

    [Fact]
    public void Distant_changes_give_separate_hunks_with_shifted_positions()
    {
        var many = Enumerable.Range(1, 20).Select(i => i.ToString()).ToArray();
        var changed = many.ToList();
        changed.Insert(1, "new");          // after line 1
        changed.RemoveAt(changed.IndexOf("18"));
        Assert.Equal(
            Lines("--- verified", "+++ received",
                  "@@ -1,4 +1,5 @@", " 1", "+new", " 2", " 3", " 4",
                  "@@ -15,6 +16,5 @@", " 15", " 16", " 17", "-18", " 19", " 20"),
            UnifiedDiff.Render(Lines(many), Lines(changed.ToArray())));
    }

    [Fact]
    public void Nearby_changes_share_one_hunk()
    {
        string actual = Ten.Replace("c\n", "C\n").Replace("h\n", "H\n");
        Assert.Equal(
            Lines("--- verified", "+++ received", "@@ -1,10 +1,10 @@",
                  " a", " b", "-c", "+C", " d", " e", " f", " g", "-h", "+H", " i", " j"),
            UnifiedDiff.Render(Ten, actual));
    }

    [Fact]
    public void Added_lines_at_the_end_of_a_file()
    {
        Assert.Equal(Lines("--- verified", "+++ received", "@@ -8,3 +8,4 @@", " h", " i", " j", "+k"),
                     UnifiedDiff.Render(Ten, Ten + "k\n"));
    }
}
