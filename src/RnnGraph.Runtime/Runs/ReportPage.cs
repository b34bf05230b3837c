using System.Net;
using System.Text;
using RnnGraph.Runtime.IO;

namespace RnnGraph.Runtime.Runs;

/// <summary>One part of a report page: an anchor id, a heading, and its HTML (inline SVG, a table, preformatted text).</summary>
public sealed record ReportSection(string Id, string Title, string Html);

/// <summary>
/// report.html of a run folder: one self-contained page (inline CSS, inline SVG, a few lines of inline script; no
/// network, no external file) that opens in any browser. Figures carry <c>data-plot</c> names; after the page has
/// laid out, the script writes each figure's rendered size into <c>data-rendered</c>, so a headless browser's DOM dump
/// shows whether every plot was drawn (scripts/check-report.sh).
/// </summary>
public static class ReportPage
{
    public const string FileName = "report.html";

    public static void Write(string path, string title, string subtitle, IReadOnlyList<ReportSection> sections) =>
        AtomicFile.WriteAllText(path, Render(title, subtitle, sections));

    public static string Render(string title, string subtitle, IReadOnlyList<ReportSection> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<title>").Append(Text(title)).Append("</title>\n");
        html.Append("""
            <style>
            body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1340px; padding: 16px 24px; color: #222; }
            h1 { font-size: 22px; margin-bottom: 2px; } .subtitle { color: #555; margin-top: 0; }
            nav a { margin-right: 14px; font-size: 14px; }
            section { margin-top: 28px; } h2 { font-size: 17px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            .figures { display: flex; flex-wrap: wrap; gap: 16px; }
            .figures figure { flex: 1 1 420px; max-width: 660px; } .figures svg { width: 100%; height: auto; }
            figure { margin: 0; } figcaption { font-size: 13px; color: #555; max-width: 640px; }
            pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 13px; }
            table { border-collapse: collapse; font-size: 13px; } th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
            th { background: #f0f0f0; } td.text, th:first-child { text-align: left; white-space: pre; }
            .graph svg { max-width: 100%; height: auto; }
            </style>

            """);
        html.Append("</head>\n<body>\n");
        html.Append("<h1>").Append(Text(title)).Append("</h1>\n<p class=\"subtitle\">").Append(Text(subtitle)).Append("</p>\n<nav>");
        foreach (var s in sections) html.Append("<a href=\"#").Append(Text(s.Id)).Append("\">").Append(Text(s.Title)).Append("</a>");
        html.Append("</nav>\n");
        foreach (var s in sections)
        {
            html.Append("<section id=\"").Append(Text(s.Id)).Append("\">\n<h2>").Append(Text(s.Title)).Append("</h2>\n");
            html.Append(s.Html).Append("\n</section>\n");
        }
        html.Append("""
            <script>
            // Record what the browser drew: each figure's rendered size (checked by scripts/check-report.sh).
            window.addEventListener('load', function () {
              document.querySelectorAll('figure[data-plot]').forEach(function (f) {
                var svg = f.querySelector('svg'), r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
                f.setAttribute('data-rendered', Math.round(r.width) + 'x' + Math.round(r.height));
              });
              document.body.setAttribute('data-report-ready', 'yes');
            });
            </script>

            """);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>An inline SVG as a figure named <paramref name="plot"/>, with a caption. The SVG's XML prologue, if any, is dropped.</summary>
    public static string Figure(string plot, string svg, string caption)
    {
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return $"<figure data-plot=\"{Text(plot)}\">\n{(start > 0 ? svg[start..] : svg)}<figcaption>{Text(caption)}</figcaption>\n</figure>";
    }

    /// <summary>Figures side by side, wrapping on narrow screens.</summary>
    public static string Row(params string[] figures) => "<div class=\"figures\">\n" + string.Join("\n", figures) + "\n</div>";

    /// <summary>The content folded under a one-line summary when <paramref name="fold"/> is set.</summary>
    public static string Collapsible(bool fold, string summary, string html) =>
        fold ? $"<details><summary>{Text(summary)}</summary>\n{html}\n</details>" : html;

    public static string Preformatted(string text) => "<pre>" + Text(text) + "</pre>";

    public static string Paragraph(string text) => "<p>" + Text(text) + "</p>";

    /// <param name="textColumns">How many leading columns hold text (left-aligned, whitespace kept); the rest are numbers.</param>
    public static string Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int textColumns = 1)
    {
        var html = new StringBuilder("<table>\n<tr>");
        foreach (var h in headers) html.Append("<th>").Append(Text(h)).Append("</th>");
        html.Append("</tr>\n");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
                html.Append(i < textColumns ? "<td class=\"text\">" : "<td>").Append(Text(row[i])).Append("</td>");
            html.Append("</tr>\n");
        }
        return html.Append("</table>").ToString();
    }

    /// <summary>Text escaped for HTML content and attribute values.</summary>
    public static string Text(string text) => WebUtility.HtmlEncode(text);
}
