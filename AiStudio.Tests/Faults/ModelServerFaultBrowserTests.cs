using System.Net;
using AiStudio.Core.Builds;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Browser;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AiStudio.Tests.Faults;

/// <summary>The model server keeps answering 429; the build page says so in plain words, and its Retry button runs the phase again.</summary>
public sealed class ModelServerFaultBrowserTests : IAsyncLifetime
{
    private const string Answer = "## Requirements\n\nQuokka reminders go out seven days before the due date.";

    private FakeOpenAiServer _server = null!;
    private AiStudioWebFactory _factory = null!;
    private BrowserSession _browser = null!;

    public async Task InitializeAsync()
    {
        BrowserFlows.UseSessionTimeoutForAssertions();
        _server = await FakeOpenAiServer.StartAsync();
        _server.ResponseText = Answer;
        _factory = new AiStudioWebFactory(ModelSettings.OpenAi(_server.BaseUrl, maxRetries: 1));
        _browser = await BrowserSession.StartAsync(_factory.StartAndGetAddress());
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _factory.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public Task BuildPage_ModelServerKeepsAnswering429_ShowsAPlainMessageAndRetryCompletesThePhase() =>
        _browser.RunAsync(nameof(BuildPage_ModelServerKeepsAnswering429_ShowsAPlainMessageAndRetryCompletesThePhase), async page =>
    {
        var tooMany = ScriptedFailure.Answer(HttpStatusCode.TooManyRequests, message: "You exceeded your current quota.");
        _server.EnqueueFailures(tooMany, tooMany);
        await BrowserFlows.SignUpAsync(_browser, "ratelimited@example.com");
        await BrowserFlows.StartBuildAsync(_browser, "Invoice reminders");

        var plain = $"Discovery failed: The model server at {_server.BaseUrl}/v1 answered 429 Too Many Requests: You exceeded your current quota. "
            + "The provider is rate-limiting or out of quota; try again later. Retried once before giving up.";
        await Assertions.Expect(page.GetByText(plain)).ToBeVisibleAsync();

        // The fault really happened: the first call and its one retry were both refused.
        Assert.Equal([tooMany, tooMany], _server.FailuresSent);
        Assert.Equal(2, _server.Requests.Count);
        var body = await page.InnerTextAsync("body");
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(ModelSettings.ApiKey, body, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Retry Discovery" }).ClickAsync();

        await Assertions.Expect(page.GetByText("Quokka reminders go out seven days before the due date.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToBeEnabledAsync();
        await Assertions.Expect(page.GetByText(plain)).ToHaveCountAsync(0);
        Assert.Equal(3, _server.Requests.Count);
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        var runs = await db.PhaseRuns.AsNoTracking().OrderBy(r => r.Attempt).Select(r => new { r.Attempt, r.Status, r.Output }).ToListAsync();
        Assert.Equal([(1, PhaseRunStatus.Failed, (string?)null), (2, PhaseRunStatus.AwaitingApproval, Answer)], runs.Select(r => (r.Attempt, r.Status, r.Output)));
    });
}
