using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;

namespace AiStudio.Web.Components.Pages.Builds.Components;

/// <summary>
/// Nests the headings of rendered markdown under the heading of the section that shows it: a model's
/// "# Requirements document" must not become a second h1 next to the page's own title.
/// </summary>
public static partial class HeadingOutline
{
    public static MarkupString Nest(MarkupString sanitizedHtml, int levels)
    {
        // Only tag names change (h1..h6 stay within h1..h6), so the sanitized markup stays as safe as it was.
        var nested = HeadingTag().Replace(sanitizedHtml.Value, m =>
            $"<{m.Groups["close"].Value}h{Math.Min(6, int.Parse(m.Groups["level"].Value) + levels)}");
        return new MarkupString(nested);
    }

    [GeneratedRegex(@"<(?<close>/?)h(?<level>[1-6])(?=[\s>])", RegexOptions.IgnoreCase)]
    private static partial Regex HeadingTag();
}
