using System.Collections.Concurrent;
using AiStudio.Tests.Browser;
using Microsoft.Playwright;

namespace AiStudio.Tests.Security;

/// <summary>
/// Everything a page of the app should never produce, gathered from one browser session: console errors,
/// Content-Security-Policy violations (the page's own <c>securitypolicyviolation</c> events), uncaught
/// exceptions and dialogs (an <c>alert</c> from injected script).
/// </summary>
internal sealed class SecurityWatch
{
    private readonly ConcurrentQueue<string> _problems = new();

    public IReadOnlyList<string> Problems => [.. _problems];
    public IReadOnlyList<string> CspViolations => [.. _problems.Where(p => p.StartsWith("CSP violation", StringComparison.Ordinal))];

    public static async Task<SecurityWatch> AttachAsync(BrowserSession browser)
    {
        var watch = new SecurityWatch();
        var page = browser.Page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                watch._problems.Enqueue($"console error on {page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => watch._problems.Enqueue($"uncaught error on {page.Url}: {error}");
        page.Dialog += async (_, dialog) =>
        {
            watch._problems.Enqueue($"dialog on {page.Url}: {dialog.Type} {dialog.Message}");
            await dialog.DismissAsync();
        };

        // Init scripts come from the browser's debugging protocol, so the page's policy does not apply to this one.
        await browser.Context.ExposeFunctionAsync("aiStudioReportViolation", (string text) => watch._problems.Enqueue("CSP violation " + text));
        await browser.Context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
                window.aiStudioReportViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} on ${location.href}: ${e.sample}`));
            """);
        return watch;
    }
}
