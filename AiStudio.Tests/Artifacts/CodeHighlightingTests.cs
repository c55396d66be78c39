using AiStudio.Tests.Browser;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Artifacts;

/// <summary>The vendored highlight.js and window.aiStudioHighlight, in Debian's Chromium against the real app.</summary>
public sealed class CodeHighlightingTests : IAsyncLifetime
{
    private readonly AiStudioWebFactory _factory = new();
    private BrowserSession _browser = null!;

    public async Task InitializeAsync() => _browser = await BrowserSession.StartAsync(_factory.StartAndGetAddress());

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task AiStudioHighlight_CalledTwice_HighlightsMarkdigCodeBlocksOnce()
    {
        var page = _browser.Page;
        await page.GotoAsync("");

        var result = await page.EvaluateAsync<string[]>("""
            () => {
                const host = document.createElement('div');
                host.innerHTML = '<pre><code class="language-csharp">public sealed class Order { }</code></pre>'
                    + '<pre><code class="language-yaml">service: orders</code></pre>'
                    + '<pre><code class="language-nosuchlanguage">plain &lt;text&gt;</code></pre>';
                document.body.appendChild(host);
                window.aiStudioHighlight(host);
                const once = host.innerHTML;
                window.aiStudioHighlight(host);
                const blocks = host.querySelectorAll('pre code');
                return [
                    String(host.innerHTML === once),
                    String(blocks[0].querySelectorAll('.hljs-keyword').length),
                    String(blocks[1].querySelectorAll('.hljs-attr').length),
                    blocks[0].textContent,
                    blocks[2].textContent,
                    String(typeof window.hljs.highlightElement)];
            }
            """);

        Assert.Equal("true", result[0]);
        Assert.NotEqual("0", result[1]);
        Assert.NotEqual("0", result[2]);
        Assert.Equal("public sealed class Order { }", result[3]);
        Assert.Equal("plain <text>", result[4]);
        Assert.Equal("function", result[5]);
        Assert.Empty(_browser.ConsoleErrors);
    }
}
