using System.Text;
using DiffPlex;

namespace RnnGraph.TestSupport;

/// <summary>
/// Renders a line diff in the unified format of <c>diff -u</c> / <c>git diff</c>: hunks with
/// <c>@@ -a,n +b,m @@</c> headers, changed lines prefixed <c>-</c>/<c>+</c> and some context around them.
/// </summary>
public static class UnifiedDiff
{
    public static string Render(string expected, string actual, string expectedLabel = "verified", string actualLabel = "received", int context = 3)
    {
        var result = new Differ().CreateLineDiffs(Terminate(expected), Terminate(actual), ignoreWhitespace: false);
        if (result.DiffBlocks.Count == 0) return "";
        var a = Lines(result.PiecesOld);
        var b = Lines(result.PiecesNew);

        var sb = new StringBuilder();
        sb.Append("--- ").Append(expectedLabel).Append('\n');
        sb.Append("+++ ").Append(actualLabel).Append('\n');

        int i = 0;
        while (i < result.DiffBlocks.Count)
        {
            // Blocks whose context overlaps join one hunk.
            int j = i;
            while (j + 1 < result.DiffBlocks.Count &&
                   result.DiffBlocks[j + 1].DeleteStartA - (result.DiffBlocks[j].DeleteStartA + result.DiffBlocks[j].DeleteCountA) <= 2 * context)
                j++;

            var first = result.DiffBlocks[i];
            var last = result.DiffBlocks[j];
            int startA = Math.Max(0, first.DeleteStartA - context);
            int startB = first.InsertStartB - (first.DeleteStartA - startA);
            int endA = Math.Min(a.Length, last.DeleteStartA + last.DeleteCountA + context);
            int endB = Math.Min(b.Length, last.InsertStartB + last.InsertCountB + (endA - (last.DeleteStartA + last.DeleteCountA)));

            sb.Append("@@ -").Append(Range(startA, endA - startA)).Append(" +").Append(Range(startB, endB - startB)).Append(" @@\n");
            int lineA = startA;
            for (int k = i; k <= j; k++)
            {
                var block = result.DiffBlocks[k];
                for (; lineA < block.DeleteStartA; lineA++) sb.Append(' ').Append(a[lineA]).Append('\n');
                for (int d = 0; d < block.DeleteCountA; d++) sb.Append('-').Append(a[block.DeleteStartA + d]).Append('\n');
                for (int n = 0; n < block.InsertCountB; n++) sb.Append('+').Append(b[block.InsertStartB + n]).Append('\n');
                lineA = block.DeleteStartA + block.DeleteCountA;
            }
            for (; lineA < endA; lineA++) sb.Append(' ').Append(a[lineA]).Append('\n');
            i = j + 1;
        }
        return sb.ToString();
    }

    // Every line ends with \n, so the chunker's last piece is the empty rest after it. A missing final
    // newline is shown as diff -u shows it.
    private static string Terminate(string text) =>
        text.Length == 0 || text.EndsWith('\n') ? text : text + "\n\\ No newline at end of file\n";

    private static string[] Lines(string[] pieces) => pieces.Length > 0 && pieces[^1].Length == 0 ? pieces[..^1] : pieces;

    // Unified diff ranges are 1-based; an empty range names the line before it.
    private static string Range(int start, int count) => count == 0 ? $"{start},0" : count == 1 ? $"{start + 1}" : $"{start + 1},{count}";
}
