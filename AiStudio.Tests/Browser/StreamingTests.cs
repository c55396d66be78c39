using AiStudio.Core.Builds;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AiStudio.Tests.Browser;

/// <summary>A slow OpenAI-compatible model streams its answer; the build page shows the text as it arrives.</summary>
public sealed class StreamingTests : IAsyncLifetime
{
    private const string EarlyWord = "Hummingbird";
    private const string LastWord = "Zeppelin";

    // 40 chunks of two words, 150 ms apart: about six seconds between the first words and the last.
    private static readonly string Answer =
        $"## Requirements\n\n{EarlyWord} reminders: " + string.Join(' ', Enumerable.Range(1, 74).Select(i => $"word{i}")) + $" {LastWord}.";

    private FakeOpenAiServer _server = null!;
    private AiStudioWebFactory _factory = null!;
    private BrowserSession _browser = null!;

    public async Task InitializeAsync()
    {
        BrowserFlows.UseSessionTimeoutForAssertions();
        _server = await FakeOpenAiServer.StartAsync();
        _server.ResponseText = Answer;
        _server.WordsPerChunk = 2;
        _server.ChunkDelay = TimeSpan.FromMilliseconds(150);
        _factory = new AiStudioWebFactory(new Dictionary<string, string?>
        {
            ["Models:Default:Provider"] = "OpenAI",
            ["Models:Default:Model"] = "fake-model",
            ["Models:Default:BaseUrl"] = _server.BaseUrl,
            ["Models:Default:ApiKey"] = "sk-test-key",
        });
        _browser = await BrowserSession.StartAsync(_factory.StartAndGetAddress());
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _factory.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public Task StartBuild_SlowStreamingModel_PageShowsPartOfTheAnswerWhileRunningThenAllOfIt() =>
        _browser.RunAsync(nameof(StartBuild_SlowStreamingModel_PageShowsPartOfTheAnswerWhileRunningThenAllOfIt), async page =>
    {
        Assert.InRange(FakeOpenAiServer.Pieces(Answer, _server.WordsPerChunk).Count, 38, 42);
        await BrowserFlows.SignUpAsync(_browser, "watcher@example.com");
        await BrowserFlows.StartBuildAsync(_browser, "Invoice reminders");

        await Assertions.Expect(page.GetByText(EarlyWord).First).ToBeVisibleAsync();
        var whileShown = await DiscoveryRunAsync();
        Assert.Equal(PhaseRunStatus.Running, whileShown.Status);
        await Assertions.Expect(page.GetByText("Q Assistant is writing…")).ToBeVisibleAsync();
        Assert.DoesNotContain(LastWord, await page.InnerTextAsync("body"));
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToHaveCountAsync(0);

        await Assertions.Expect(page.GetByText(LastWord).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true })).ToBeEnabledAsync();
        var done = await DiscoveryRunAsync();
        Assert.Equal((PhaseRunStatus.AwaitingApproval, Answer), (done.Status, done.Output));
    });

    private async Task<PhaseRun> DiscoveryRunAsync()
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        return await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Phase == Phase.Discovery);
    }
}
