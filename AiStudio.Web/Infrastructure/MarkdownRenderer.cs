using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Components;

namespace AiStudio.Web.Infrastructure;

/// <summary>
/// Model output and user text are untrusted: markdown becomes HTML, and the HTML is sanitized
/// before it ever reaches a <see cref="MarkupString"/>.
/// </summary>
public sealed class MarkdownRenderer
{
    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions()
        .DisableHtml()
        .Build();

    private readonly HtmlSanitizer _sanitizer = CreateSanitizer();

    public MarkupString Render(string? markdown)
    {
        if (string.IsNullOrEmpty(markdown))
        {
            return new MarkupString("");
        }

        var html = Markdown.ToHtml(markdown, _pipeline);
        string safe;
        lock (_sanitizer)
        {
            safe = _sanitizer.Sanitize(html);
        }

        return new MarkupString(safe);
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedAttributes.Add("class");
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedTags.Remove("iframe");
        sanitizer.AllowedTags.Remove("form");
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedCssProperties.Clear();
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Html.Dom.IHtmlAnchorElement anchor)
            {
                anchor.SetAttribute("rel", "nofollow noopener noreferrer");
                anchor.SetAttribute("target", "_blank");
            }
        };
        return sanitizer;
    }
}
