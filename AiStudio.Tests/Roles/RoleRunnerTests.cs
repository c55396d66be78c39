using System.Net;
using AiStudio.Core.Builds;
using AiStudio.Core.ModelProviders.Offline;
using AiStudio.Core.Roles;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Roles;

/// <summary>The role runner through the real Semantic Kernel OpenAI connector, over real HTTP, to a loopback server.</summary>
public sealed class RoleRunnerTests
{
    private const string ApiKey = "sk-test-key-123";

    private static readonly IReadOnlyList<ChatTurn> History =
    [
        new(MessageAuthor.User, "Write the plan, attempt 1."),
        new(MessageAuthor.Assistant, "Plan, attempt 1: T1 export, T2 refunds."),
    ];

    [Fact]
    public async Task RunAsync_OpenAiServer_ReceivesSystemPromptHistoryAndTaskExactlyInOrder()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        using var services = Services(server);
        var request = RoleRequests.For(Phase.Planning, history: History, feedback: "Split T2.", attempt: 2, promptText: "You are the Q Assistant. Plan well.");

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(request, null, CancellationToken.None);

        var arrived = Assert.Single(server.Requests);
        Assert.Equal("fake-model", arrived.Model);
        Assert.True(arrived.Stream);
        Assert.Equal($"Bearer {ApiKey}", arrived.Authorization);
        Assert.Equal(
            [
                new RecordedMessage("system", "You are the Q Assistant. Plan well."),
                new RecordedMessage("user", "Write the plan, attempt 1."),
                new RecordedMessage("assistant", "Plan, attempt 1: T1 export, T2 refunds."),
                new RecordedMessage("user", ChatHistoryFactory.BuildUserMessage(request)),
            ],
            arrived.Messages);
        Assert.Equal(arrived.Messages, result.MessagesSent.Select(t => new RecordedMessage(t.Author.ToString().ToLowerInvariant(), t.Content)));
        Assert.Contains("Accountants must approve refunds over 500 euros.", arrived.Messages[^1].Content, StringComparison.Ordinal);
        Assert.EndsWith("Split T2.", arrived.Messages[^1].Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StreamingAnswer_ForwardsEachDeltaInOrderAndRecordsTheWholeAnswer()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseText = "## Plan\n\n1. Export invoices as CSV.\n2. Approve refunds over 500 euros.\n";
        server.WordsPerChunk = 2;
        using var services = Services(server);
        var deltas = new List<string>();

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(
            RoleRequests.For(Phase.Planning),
            delta =>
            {
                deltas.Add(delta);
                return ValueTask.CompletedTask;
            },
            CancellationToken.None);

        Assert.Equal(FakeOpenAiServer.Pieces(server.ResponseText, 2), deltas);
        Assert.True(deltas.Count > 1);
        Assert.Equal(server.ResponseText, result.Outcome.Response);
    }

    [Fact]
    public async Task RunAsync_ServerReportsUsage_RecordsItsTokensModelPromptAndLatency()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Usage = (1234, 56);
        var clock = new SteppingTimeProvider(TimeSpan.FromMilliseconds(1500));
        using var services = Services(server, clock);
        var request = RoleRequests.For(Phase.Implementation);

        var outcome = (await services.GetRequiredService<IRoleRunner>().RunAsync(request, null, CancellationToken.None)).Outcome;

        Assert.Equal((1234, 56), (outcome.InputTokens, outcome.OutputTokens));
        Assert.Equal(("OpenAI", "fake-model"), (outcome.Provider, outcome.ModelId));
        Assert.Equal((request.Prompt.Id, 3), (outcome.PromptId, outcome.PromptVersion));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), outcome.Latency);
    }

    [Fact]
    public async Task RunAsync_ServerSendsNoUsage_EstimatesTokensFromCharacters()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.IncludeUsage = false;
        server.ResponseText = new string('x', 400);
        using var services = Services(server);

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Discovery), null, CancellationToken.None);

        Assert.Equal(100, result.Outcome.OutputTokens);
        Assert.Equal((result.MessagesSent.Sum(t => t.Content.Length) + 3) / 4, result.Outcome.InputTokens);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "401 Unauthorized: Incorrect API key provided. Check the ApiKey")]
    [InlineData(HttpStatusCode.InternalServerError, "500 Internal Server Error: The server had an error. The provider had a problem")]
    public async Task RunAsync_ServerAnswersWithError_ThrowsModelCallFailedWithPlainMessage(HttpStatusCode status, string expected)
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ErrorStatus = status;
        server.ErrorMessage = status == HttpStatusCode.Unauthorized ? "Incorrect API key provided." : "The server had an error.";
        var settings = OpenAiSettings(server.BaseUrl);
        settings["Models:MaxRetries"] = "0";
        using var services = ChatModelCatalogTests.Services(settings);

        var error = await Assert.ThrowsAsync<ModelCallFailedException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Testing), null, CancellationToken.None));

        Assert.StartsWith($"The model server at {server.BaseUrl}/v1 answered {expected}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RunAsync_ServerUnreachable_ThrowsModelCallFailedSayingSo()
    {
        string closedUrl;
        await using (var gone = await FakeOpenAiServer.StartAsync())
        {
            closedUrl = gone.BaseUrl;
        }

        using var services = ChatModelCatalogTests.Services(OpenAiSettings(closedUrl));

        var error = await Assert.ThrowsAsync<ModelCallFailedException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Testing), null, CancellationToken.None));

        Assert.StartsWith($"Could not reach the model server at {closedUrl}/v1: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Retried 3 times before giving up.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ServerTooSlow_ThrowsModelCallFailedNotCancellation()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseDelay = TimeSpan.FromSeconds(5);
        var settings = OpenAiSettings(server.BaseUrl);
        settings["Models:TimeoutSeconds"] = "1";
        settings["Models:MaxRetries"] = "0";
        using var services = ChatModelCatalogTests.Services(settings);

        var error = await Assert.ThrowsAsync<ModelCallFailedException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Testing), null, CancellationToken.None));

        Assert.Equal($"The model server at {server.BaseUrl}/v1 did not answer in time; the call was stopped. Try again, or raise Models:TimeoutSeconds.", error.Message);
    }

    [Fact]
    public async Task RunAsync_CallerCancelsWhileStreaming_ThrowsOperationCanceled()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseText = string.Join(' ', Enumerable.Range(1, 200).Select(i => $"word{i}"));
        server.ChunkDelay = TimeSpan.FromMilliseconds(50);
        using var services = Services(server);
        using var cancellation = new CancellationTokenSource();
        var deltas = 0;

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(
                RoleRequests.For(Phase.Deployment),
                async _ =>
                {
                    if (++deltas == 2)
                    {
                        await cancellation.CancelAsync();
                    }
                },
                cancellation.Token));

        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.InRange(deltas, 2, 3);
    }

    [Fact]
    public async Task RunAsync_CancelledBeforeStart_ThrowsOperationCanceledWithoutCallingTheServer()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        using var services = Services(server);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Discovery), null, new CancellationToken(canceled: true)));

        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task RunAsync_OfflineModel_StreamsARequirementSpecificArtifactWithUsage()
    {
        using var services = ChatModelCatalogTests.Services(new() { ["Models:Offline:ChunkDelayMilliseconds"] = "0" });
        var deltas = new List<string>();

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(
            RoleRequests.For(Phase.Discovery),
            delta =>
            {
                deltas.Add(delta);
                return ValueTask.CompletedTask;
            },
            CancellationToken.None);

        Assert.Equal(("Offline", OfflineChatCompletionService.ModelId), (result.Outcome.Provider, result.Outcome.ModelId));
        Assert.True(deltas.Count > 10);
        Assert.Equal(result.Outcome.Response, string.Concat(deltas));
        Assert.StartsWith(OfflineArtifactWriter.Disclaimer, result.Outcome.Response, StringComparison.Ordinal);
        Assert.Contains("refunds over 500 euros", result.Outcome.Response, StringComparison.Ordinal);
        Assert.Equal((result.Outcome.Response.Length + 3) / 4, result.Outcome.OutputTokens);
        Assert.True(result.Outcome.InputTokens > 0);
    }

    private static Dictionary<string, string?> OpenAiSettings(string baseUrl) => new()
    {
        ["Models:Default:Provider"] = "OpenAI",
        ["Models:Default:Model"] = "fake-model",
        ["Models:Default:BaseUrl"] = baseUrl,
        ["Models:Default:ApiKey"] = ApiKey,
        ["Models:RetryBaseDelayMilliseconds"] = "2",
    };

    private static ServiceProvider Services(FakeOpenAiServer server, TimeProvider? clock = null) =>
        ChatModelCatalogTests.Services(OpenAiSettings(server.BaseUrl), services =>
        {
            if (clock is not null)
            {
                services.AddSingleton(clock);
            }
        });

    /// <summary>A clock whose every reading is one step later than the last, so a measured duration is exact.</summary>
    private sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
    }
}
