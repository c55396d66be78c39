using System.Text.Json;
using AiStudio.Benchmarks.Harness;
using AiStudio.Benchmarks.Web;
using AiStudio.Core.Builds;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// From a streamed token leaving the model server to it showing in the browser: the real app talks to a stamping
/// OpenAI-compatible server over HTTP through Semantic Kernel; the build page, open in Chromium, records with a
/// MutationObserver the moment each marked token first appears in the page. Both clocks are this machine's.
/// </summary>
public sealed class TokenLatency : IBenchmark
{
    private const string Observer = """
        () => {
          window.__seen = {};
          const scan = text => {
            for (const m of (text || '').matchAll(/tok(\d{5})x/g)) {
              const n = Number(m[1]);
              if (!(n in window.__seen)) window.__seen[n] = performance.timeOrigin + performance.now();
            }
          };
          new MutationObserver(records => {
            for (const r of records) {
              if (r.type === 'characterData') scan(r.target.data);
              for (const node of r.addedNodes) scan(node.textContent);
            }
          }).observe(document.body, { subtree: true, childList: true, characterData: true });
          return true;
        }
        """;

    public string Name => "tokens";

    public string Title => "Streamed token to browser";

    public async Task<IReadOnlyList<Figure>> RunAsync(Scale scale, Progress log, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(25);
        await using var server = await StampingModelServer.StartAsync(scale.Tokens, interval);
        await using var app = new WebApp(new Dictionary<string, string?>
        {
            ["Models:Default:Provider"] = "OpenAI",
            ["Models:Default:Model"] = "bench-model",
            ["Models:Default:BaseUrl"] = server.BaseUrl,
            ["Models:Default:ApiKey"] = "bench-key",
        });
        var address = app.StartAndGetAddress();
        await using var browser = await Browser.StartAsync(address);
        const string email = "tokens@example.com";
        var page = await browser.SignUpAsync(email);

        var actor = await app.ActorAsync(email);
        var buildId = await app.Services.GetRequiredService<IBuildCommands>().StartAsync(actor,
            new NewBuildRequest("Streaming", "Token latency", "Stream a long answer."), cancellationToken);
        await page.GotoAsync($"builds/{buildId}");
        await Browser.WaitForCircuitAsync(page);
        await page.GetByText("is writing", new() { Exact = false }).First.WaitForAsync();
        await page.EvaluateAsync<bool>(Observer);
        log.Line($"   streaming {scale.Tokens} tokens, one every {interval.TotalMilliseconds:0} ms");
        server.Go.SetResult();

        var last = StampingModelServer.Marker(scale.Tokens - 1);
        await page.GetByText(last, new() { Exact = false }).First.WaitForAsync();
        var seen = JsonSerializer.Deserialize<Dictionary<string, double>>(await page.EvaluateAsync<string>("() => JSON.stringify(window.__seen)"))!;

        var delays = new Samples();
        foreach (var (token, sentAt) in server.Sent)
        {
            if (seen.TryGetValue(token.ToString(System.Globalization.CultureInfo.InvariantCulture), out var shownAt))
            {
                delays.Add(shownAt - sentAt);
            }
        }

        if (delays.Count < scale.Tokens * 0.9)
        {
            throw new InvalidOperationException($"Only {delays.Count} of {scale.Tokens} tokens were seen appearing in the page.");
        }

        return
        [
            new Figure(Name, "median token delay, model server → browser", delays.Median, "ms", 100,
                Detail: $"{delays.Describe()}; max {Samples.Format(delays.Percentile(100))} ms; one token every {interval.TotalMilliseconds:0} ms",
                Why: delays.Median <= 100 ? "" : "The token passes the SSE connection, Semantic Kernel's stream, the in-process build events and the " +
                    "output component, which renders at most every 100 ms (a re-render turns the whole answer's markdown to HTML), then the SignalR diff."),
            new Figure(Name, "p95 token delay", delays.P95, "ms", null),
        ];
    }
}
