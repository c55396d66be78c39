using System.Net;
using AiStudio.Core.Builds;
using AiStudio.Core.ModelProviders;
using AiStudio.Core.Roles;
using AiStudio.Tests.Roles;
using AiStudio.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.ModelProviders;

/// <summary>Retries in the role runner, over real HTTP, against both fake providers.</summary>
public sealed class ModelCallRetryTests
{
    public static TheoryData<string> Providers => new() { ModelProviderNames.OpenAI, ModelProviderNames.Anthropic };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunAsync_TooManyRequestsThenOk_SucceedsOnTheSecondRequest(string provider)
    {
        await using var server = await FakeServer.StartAsync(provider);
        server.Fail(ScriptedFailure.Answer(HttpStatusCode.TooManyRequests));
        using var services = ChatModelCatalogTests.Services(server.Settings());

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None);

        Assert.Equal(server.ResponseText, result.Outcome.Response);
        Assert.Equal(2, server.RequestCount);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunAsync_ServerErrorEveryTime_FailsAfterMaxRetriesSayingWhatTheServerSaid(string provider)
    {
        await using var server = await FakeServer.StartAsync(provider);
        var failure = ScriptedFailure.Answer(HttpStatusCode.InternalServerError, message: "Something broke on our side.");
        server.Fail(failure, failure, failure, failure);
        using var services = ChatModelCatalogTests.Services(server.Settings(maxRetries: 3));

        var error = await Assert.ThrowsAsync<ModelCallFailedException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None));

        Assert.Equal(
            $"The model server at {server.Endpoint} answered 500 Internal Server Error: Something broke on our side. "
            + "The provider had a problem; try again later. Retried 3 times before giving up.",
            error.Message);
        Assert.Equal(4, server.RequestCount);
        Assert.DoesNotContain(ModelSettings.ApiKey, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunAsync_Retry_IsLoggedAsAWarningWithoutTheKey(string provider)
    {
        await using var server = await FakeServer.StartAsync(provider);
        server.Fail(ScriptedFailure.Answer(HttpStatusCode.BadGateway, message: "Upstream hiccup."));
        var logs = new CapturingLoggerProvider();
        using var services = ChatModelCatalogTests.Services(server.Settings(), s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));

        await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None);

        var warning = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.StartsWith(
            $"Role QAssistant Planning attempt 1: The model server at {server.Endpoint} answered 502 Bad Gateway: Upstream hiccup. The provider had a problem; try again later. Retry 1 of 3 in ",
            warning.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(ModelSettings.ApiKey, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunAsync_RetryAfterGiven_WaitsAsLongAsTheServerAsked(string provider)
    {
        await using var server = await FakeServer.StartAsync(provider);
        server.Fail(ScriptedFailure.Answer(HttpStatusCode.TooManyRequests, retryAfter: "7"));
        var clock = new DelayRecordingTimeProvider();
        using var services = ChatModelCatalogTests.Services(server.Settings(), s => s.AddSingleton<TimeProvider>(clock));

        await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(7)], clock.Delays);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task RunAsync_RetryAfterMilliseconds_WinsOverRetryAfter()
    {
        await using var server = await FakeServer.StartAsync(ModelProviderNames.OpenAI);
        server.Fail(new ScriptedFailure(HttpStatusCode.ServiceUnavailable, RetryAfter: "7", RetryAfterMilliseconds: "1500"));
        var clock = new DelayRecordingTimeProvider();
        using var services = ChatModelCatalogTests.Services(server.Settings(), s => s.AddSingleton<TimeProvider>(clock));

        await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None);

        Assert.Equal([TimeSpan.FromMilliseconds(1500)], clock.Delays);
        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task RunAsync_RetryAfterBeyondTheCap_WaitsOnlyTheCap()
    {
        await using var server = await FakeServer.StartAsync(ModelProviderNames.Anthropic);
        server.Fail(ScriptedFailure.Answer(HttpStatusCode.TooManyRequests, retryAfter: "3600"));
        var clock = new DelayRecordingTimeProvider();
        var settings = server.Settings();
        settings["Models:RetryMaxDelaySeconds"] = "30";
        using var services = ChatModelCatalogTests.Services(settings, s => s.AddSingleton<TimeProvider>(clock));

        await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(30)], clock.Delays);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunAsync_RepeatedServerErrors_BacksOffExponentiallyWithJitter(string provider)
    {
        await using var server = await FakeServer.StartAsync(provider);
        var unavailable = ScriptedFailure.Answer(HttpStatusCode.ServiceUnavailable);
        server.Fail(unavailable, unavailable, unavailable);
        var clock = new DelayRecordingTimeProvider();
        var settings = server.Settings(maxRetries: 3);
        settings["Models:RetryBaseDelayMilliseconds"] = "1000";
        using var services = ChatModelCatalogTests.Services(settings, s => s.AddSingleton<TimeProvider>(clock));

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None);

        Assert.Equal(server.ResponseText, result.Outcome.Response);
        Assert.Equal(4, server.RequestCount);
        Assert.Collection(
            clock.Delays,
            d => Assert.InRange(d.TotalMilliseconds, 500, 1000),
            d => Assert.InRange(d.TotalMilliseconds, 1000, 2000),
            d => Assert.InRange(d.TotalMilliseconds, 2000, 4000));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunAsync_ConnectionDroppedMidAnswer_RetriesFromTheStartAndTheAnswerCountsOnce(string provider)
    {
        await using var server = await FakeServer.StartAsync(provider);
        var twoDeltasShown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Fail(ScriptedFailure.DropAfter(2, when: twoDeltasShown.Task));
        using var services = ChatModelCatalogTests.Services(server.Settings(maxRetries: 3));
        var deltas = new List<string>();
        var shown = new System.Text.StringBuilder();
        var shownBeforeRestart = "";
        var restarts = 0;

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(
            RoleRequests.For(Phase.Planning),
            delta =>
            {
                deltas.Add(delta);
                shown.Append(delta);
                if (deltas.Count == 2)
                {
                    twoDeltasShown.SetResult();
                }

                return ValueTask.CompletedTask;
            },
            CancellationToken.None,
            onRestart: () =>
            {
                restarts++;
                shownBeforeRestart = shown.ToString();
                shown.Clear();
                return ValueTask.CompletedTask;
            });

        // The fault happened: two pieces were shown before the cut, and the server was asked a second time.
        Assert.Equal(string.Concat(FakeOpenAiServer.Pieces(server.ResponseText, 2).Take(2)), shownBeforeRestart);
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(1, restarts);
        Assert.Equal(server.ResponseText, result.Outcome.Response);
        Assert.Equal(server.ResponseText, shown.ToString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunAsync_ConnectionDroppedBeforeAnswer_RetriesAndSucceeds(string provider)
    {
        await using var server = await FakeServer.StartAsync(provider);
        server.Fail(ScriptedFailure.DropAfter(0));
        using var services = ChatModelCatalogTests.Services(server.Settings());

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None);

        Assert.Equal(server.ResponseText, result.Outcome.Response);
        Assert.Equal(2, server.RequestCount);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunAsync_Unauthorized_IsNotRetried(string provider)
    {
        await using var server = await FakeServer.StartAsync(provider);
        server.Fail(ScriptedFailure.Answer(HttpStatusCode.Unauthorized));
        using var services = ChatModelCatalogTests.Services(server.Settings(maxRetries: 3));

        var error = await Assert.ThrowsAsync<ModelCallFailedException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None));

        Assert.Contains("answered 401 Unauthorized", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Retried", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.RequestCount);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task RunAsync_CallerCancelsMidAnswer_ThrowsOperationCanceledWithoutRetrying(string provider)
    {
        await using var server = await FakeServer.StartAsync(provider);
        server.ResponseText = string.Join(' ', Enumerable.Range(1, 200).Select(i => $"word{i}"));
        using var services = ChatModelCatalogTests.Services(server.Settings(maxRetries: 3));
        using var cancellation = new CancellationTokenSource();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            services.GetRequiredService<IRoleRunner>().RunAsync(
                RoleRequests.For(Phase.Planning),
                async _ => await cancellation.CancelAsync(),
                cancellation.Token));

        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task RunAsync_CallerCancelsBeforeTheServerAnswers_ThrowsOperationCanceledWithoutRetrying()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseDelay = TimeSpan.FromSeconds(30);
        using var services = ChatModelCatalogTests.Services(ModelSettings.OpenAi(server.BaseUrl, maxRetries: 3));
        using var cancellation = new CancellationTokenSource();

        var run = services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, cancellation.Token);
        while (server.Requests.Count == 0 && !run.IsCompleted)
        {
            await Task.Delay(10);
        }

        await cancellation.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RunAsync_ServerSilentPastTheTimeout_IsRetriedAndSucceeds()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.EnqueueFailures(new ScriptedFailure(Stall: TimeSpan.FromSeconds(30)));
        var settings = ModelSettings.OpenAi(server.BaseUrl, maxRetries: 1);
        settings["Models:TimeoutSeconds"] = "1";
        using var services = ChatModelCatalogTests.Services(settings);

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Planning), null, CancellationToken.None);

        Assert.Equal(server.ResponseText, result.Outcome.Response);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData(1, 100, 50, 100)]
    [InlineData(2, 100, 100, 200)]
    [InlineData(3, 100, 200, 400)]
    [InlineData(12, 100, 500, 1000)]
    public void Delay_NoRetryAfter_IsExponentialWithEqualJitterAndCapped(int retry, int baseMs, int lowMs, int highMs)
    {
        var low = ModelCallRetry.Delay(retry, null, TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromSeconds(1), random: 0);
        var high = ModelCallRetry.Delay(retry, null, TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromSeconds(1), random: 0.999999);

        Assert.Equal(lowMs, low.TotalMilliseconds, precision: 3);
        Assert.Equal(highMs, high.TotalMilliseconds, precision: 0);
    }

    [Theory]
    [InlineData(null, "120", 120_000)]
    [InlineData("250", "120", 250)]
    [InlineData(null, "Wed, 21 Oct 2015 07:28:30 GMT", 30_000)]
    [InlineData(null, "Wed, 21 Oct 2015 07:27:00 GMT", 0)]
    public void RetryAfter_Headers_AreReadAsMillisecondsSecondsOrDate(string? retryAfterMs, string retryAfter, int expectedMs)
    {
        var now = new DateTimeOffset(2015, 10, 21, 7, 28, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryAfter.From(retryAfterMs, retryAfter, now));
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(529, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(501, false)]
    public void IsTransient_Status_RetriesRateLimitsAndServerErrorsOnly(int status, bool expected)
    {
        Assert.Equal(expected, ModelCallRetry.IsTransient(status));
    }

    /// <summary>One of the two fake providers, behind one face so each test runs against both.</summary>
    private sealed class FakeServer : IAsyncDisposable
    {
        private readonly FakeOpenAiServer? _openAi;
        private readonly FakeAnthropicServer? _anthropic;

        private FakeServer(FakeOpenAiServer? openAi, FakeAnthropicServer? anthropic)
        {
            _openAi = openAi;
            _anthropic = anthropic;
        }

        public string BaseUrl => _openAi?.BaseUrl ?? _anthropic!.BaseUrl;

        /// <summary>How the runner's messages name the server.</summary>
        public string Endpoint => BaseUrl + "/v1";

        public int RequestCount => _openAi?.Requests.Count ?? _anthropic!.Requests.Count;

        public string ResponseText
        {
            get => _openAi?.ResponseText ?? _anthropic!.ResponseText;
            set
            {
                if (_openAi is not null)
                {
                    _openAi.ResponseText = value;
                }
                else
                {
                    _anthropic!.ResponseText = value;
                }
            }
        }

        public static async Task<FakeServer> StartAsync(string provider) => provider == ModelProviderNames.OpenAI
            ? new FakeServer(await FakeOpenAiServer.StartAsync(), null)
            : new FakeServer(null, await FakeAnthropicServer.StartAsync());

        public Dictionary<string, string?> Settings(int maxRetries = 3) => _openAi is not null
            ? ModelSettings.OpenAi(BaseUrl, maxRetries)
            : ModelSettings.Anthropic(BaseUrl, maxRetries);

        public void Fail(params ScriptedFailure[] failures)
        {
            _openAi?.EnqueueFailures(failures);
            _anthropic?.EnqueueFailures(failures);
        }

        public async ValueTask DisposeAsync()
        {
            if (_openAi is not null)
            {
                await _openAi.DisposeAsync();
            }

            if (_anthropic is not null)
            {
                await _anthropic.DisposeAsync();
            }
        }
    }
}
