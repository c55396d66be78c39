using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Components;

namespace AiStudio.Web.Infrastructure;

/// <summary>
/// Model output and user text are untrusted: markdown becomes HTML, and the HTML is sanitized
/// before it ever reaches a <see cref="MarkupString"/>.
/// </summary>
/// <remarks>
/// Two layers. Markdig escapes raw HTML (DisableHtml), so a model cannot write tags; the sanitizer then keeps only
/// what markdown itself produces and makes it inert: no script or event handler, no link or image that runs script
/// (only http, https and mailto), no frame, object, embed or form, no style at all (a style attribute or element
/// could lay a fake page over the real one), no id or name (they could shadow the app's own elements), and no class
/// but a code block's language (the app's own CSS classes include fixed and full-screen layouts).
/// </remarks>
public sealed partial class MarkdownRenderer
{
    private static readonly string[] ForbiddenTags =
    [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "button", "select", "option",
        "textarea", "base", "meta", "link", "svg", "math", "video", "audio", "source", "track", "dialog", "template",
    ];

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

        return new MarkupString(Sanitize(Markdown.ToHtml(markdown, _pipeline)));
    }

    /// <summary>The second layer on its own, for HTML that did not come through this renderer's markdown.</summary>
    internal string Sanitize(string html)
    {
        lock (_sanitizer)
        {
            return _sanitizer.Sanitize(html);
        }
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        foreach (var tag in ForbiddenTags)
        {
            sanitizer.AllowedTags.Remove(tag);
        }

        sanitizer.AllowedAttributes.Add("class");
        foreach (var attribute in new[] { "style", "id", "name", "form", "formaction", "action", "srcset", "background", "autofocus", "tabindex" })
        {
            sanitizer.AllowedAttributes.Remove(attribute);
        }

        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedCssProperties.Clear();
        sanitizer.AllowedAtRules.Clear();
        sanitizer.PostProcessDom += (_, e) =>
        {
            foreach (var element in e.Document.Body?.QuerySelectorAll("*").ToList() ?? [])
            {
                KeepOnlyLanguageClass(element);
                if (element is AngleSharp.Html.Dom.IHtmlAnchorElement anchor)
                {
                    anchor.SetAttribute("rel", "nofollow noopener noreferrer");
                    anchor.SetAttribute("target", "_blank");
                }
                else if (element is AngleSharp.Html.Dom.IHtmlInputElement input && !(input.Type == "checkbox" && input.IsDisabled))
                {
                    // Markdig's task lists are the only inputs markdown makes: disabled checkboxes.
                    input.Remove();
                }
            }
        };
        return sanitizer;
    }

    private static void KeepOnlyLanguageClass(IElement element)
    {
        var classes = element.GetAttribute("class");
        if (classes is null)
        {
            return;
        }

        var kept = classes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(c => LanguageClass().IsMatch(c)).ToList();
        if (kept.Count == 0)
        {
            element.RemoveAttribute("class");
        }
        else
        {
            element.SetAttribute("class", string.Join(' ', kept));
        }
    }

    [GeneratedRegex(@"^language-[A-Za-z0-9_+#.-]{1,40}$")]
    private static partial Regex LanguageClass();
}
