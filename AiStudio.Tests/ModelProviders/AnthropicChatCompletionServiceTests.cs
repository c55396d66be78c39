using System.Net;
using AiStudio.Core.Builds;
using AiStudio.Core.ModelProviders.Anthropic;
using AiStudio.Core.Roles;
using AiStudio.Tests.Roles;
using AiStudio.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.ModelProviders;

/// <summary>Claude through the role runner, over real HTTP, to a loopback server speaking Anthropic's Messages API.</summary>
public sealed class AnthropicChatCompletionServiceTests
{
    private static readonly IReadOnlyList<ChatTurn> History =
    [
        new(MessageAuthor.User, "Write the plan, attempt 1."),
        new(MessageAuthor.Assistant, "Plan, attempt 1: T1 export, T2 refunds."),
    ];

    [Fact]
    public async Task RunAsync_AnthropicServer_ReceivesSystemAsTopLevelFieldAndAlternatingMessages()
    {
        await using var server = await FakeAnthropicServer.StartAsync();
        using var services = ChatModelCatalogTests.Services(ModelSettings.Anthropic(server.BaseUrl));
        var request = RoleRequests.For(Phase.Planning, history: History, feedback: "Split T2.", attempt: 2, promptText: "You are the Q Assistant. Plan well.");

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(request, null, CancellationToken.None);

        var arrived = Assert.Single(server.Requests);
        Assert.Equal("You are the Q Assistant. Plan well.", arrived.System);
        Assert.Equal(
            [
                new RecordedMessage("user", "Write the plan, attempt 1."),
                new RecordedMessage("assistant", "Plan, attempt 1: T1 export, T2 refunds."),
                new RecordedMessage("user", ChatHistoryFactory.BuildUserMessage(request)),
            ],
            arrived.Messages);
        Assert.DoesNotContain("\"role\":\"system\"", arrived.Body, StringComparison.Ordinal);
        Assert.Equal(("claude-sonnet-4-5", 4096, true), (arrived.Model, arrived.MaxTokens, arrived.Stream));
        Assert.Equal((ModelSettings.ApiKey, "2023-06-01"), (arrived.ApiKey, arrived.AnthropicVersion));
        Assert.Equal(("Anthropic", "claude-sonnet-4-5"), (result.Outcome.Provider, result.Outcome.ModelId));
    }

    [Fact]
    public async Task RunAsync_HistoryWithTwoUserTurnsInARow_JoinsThemSoTurnsAlternate()
    {
        await using var server = await FakeAnthropicServer.StartAsync();
        using var services = ChatModelCatalogTests.Services(ModelSettings.Anthropic(server.BaseUrl));
        var request = RoleRequests.For(Phase.Planning, history: [new(MessageAuthor.User, "An attempt that failed before any answer.")]);

        await services.GetRequiredService<IRoleRunner>().RunAsync(request, null, CancellationToken.None);

        var message = Assert.Single(Assert.Single(server.Requests).Messages);
        Assert.Equal(new RecordedMessage("user", "An attempt that failed before any answer.\n\n" + ChatHistoryFactory.BuildUserMessage(request)), message);
    }

    [Fact]
    public async Task RunAsync_StreamedAnswer_ForwardsDeltasInOrderAndRecordsUsageAndModel()
    {
        await using var server = await FakeAnthropicServer.StartAsync();
        server.ResponseText = "## Plan\n\n1. Export invoices as CSV.\n2. Approve refunds over 500 euros.\n";
        server.Usage = (1234, 567);
        var settings = ModelSettings.Anthropic(server.BaseUrl);
        settings["Models:Default:Model"] = "claude-haiku-4-5";
        settings["Models:Default:MaxTokens"] = "1000";
        using var services = ChatModelCatalogTests.Services(settings);
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
        Assert.Equal((1234, 567), (result.Outcome.InputTokens, result.Outcome.OutputTokens));
        Assert.Equal(("Anthropic", "claude-haiku-4-5"), (result.Outcome.Provider, result.Outcome.ModelId));
        var arrived = Assert.Single(server.Requests);
        Assert.Equal(("claude-haiku-4-5", 1000), (arrived.Model, arrived.MaxTokens));
    }

    [Fact]
    public async Task RunAsync_Unauthorized_ThrowsModelCallFailedWithAnthropicsMessageAndNoRetry()
    {
        await using var server = await FakeAnthropicServer.StartAsync();
        server.ErrorStatus = HttpStatusCode.Unauthorized;
        using var services = ChatModelCatalogTests.Services(ModelSettings.Anthropic(server.BaseUrl));

        var error = await Assert.ThrowsAsync<ModelCallFailedException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Testing), null, CancellationToken.None));

        Assert.Equal(
            $"The model server at {server.BaseUrl}/v1 answered 401 Unauthorized: invalid x-api-key. Check the ApiKey configured for this role under Models.",
            error.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RunAsync_Overloaded529_SaysOverloadedAfterRetrying()
    {
        await using var server = await FakeAnthropicServer.StartAsync();
        server.ErrorStatus = (HttpStatusCode)529;
        server.ErrorType = "overloaded_error";
        server.ErrorMessage = "Overloaded";
        using var services = ChatModelCatalogTests.Services(ModelSettings.Anthropic(server.BaseUrl, maxRetries: 1));

        var error = await Assert.ThrowsAsync<ModelCallFailedException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Testing), null, CancellationToken.None));

        Assert.Equal(
            $"The model server at {server.BaseUrl}/v1 answered 529 Overloaded: Overloaded. The provider had a problem; try again later. Retried once before giving up.",
            error.Message);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData("", "https://api.anthropic.com/v1")]
    [InlineData("http://127.0.0.1:9000", "http://127.0.0.1:9000/v1")]
    [InlineData("http://proxy:9000/v1/", "http://proxy:9000/v1")]
    public void Endpoint_BaseUrl_EndsInV1Once(string baseUrl, string expected)
    {
        Assert.Equal(new Uri(expected), AnthropicChatCompletionService.Endpoint(baseUrl));
    }
}
