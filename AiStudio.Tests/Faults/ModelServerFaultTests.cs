using System.Net;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Roles;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Faults;

/// <summary>
/// The model server misbehaves in each way a real one does; the phase run retries over real HTTP, then fails with a
/// message a person understands, and Retry runs the phase again. Nothing of a broken answer is stored.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ModelServerFaultTests
{
    private const int MaxRetries = 2;
    private const string Requirements = "Customers receive an email reminder seven days before an invoice is due. Finance can switch reminders off per customer.";
    private const string Answer = "## Requirements\n\n1. A reminder goes out seven days before the due date.\n2. Finance can switch reminders off per customer.";

    public static TheoryData<string> Faults => new() { "429", "500", "not a chat answer", "malformed stream", "timeout", "stream cut midway", "stream ended early" };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task PhaseRun_ModelServerFaultsEveryTime_RetriesThenFailsPlainlyAndRetryCompletes(string fault)
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseText = Answer;
        var attempts = MaxRetries + 1;
        var settings = ModelSettings.OpenAi(server.BaseUrl, MaxRetries);
        if (fault == "timeout")
        {
            // Short enough for three stalls, long enough that the retried answer, streamed on a loaded machine, is not cut too.
            settings["Models:TimeoutSeconds"] = "3";
        }

        await using var app = await TestAppHost.StartAsync(settings);
        var textShown = TextShownPerTry(app.Get<IBuildEvents>(), attempts);
        server.EnqueueFailures([.. Enumerable.Range(0, attempts).Select(i => Failure(fault, textShown[i]))]);
        var actor = await app.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var commands = app.Get<IBuildCommands>();
        var buildId = await commands.StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));

        var failed = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.Failed, TimeSpan.FromSeconds(40));

        // The faults really happened, once per try: the first call and each retry met one.
        Assert.Equal(attempts, server.Requests.Count);
        Assert.Equal(attempts, server.FailuresSent.Count);
        if (fault == "timeout")
        {
            await Eventually.Until(() => Task.FromResult(server.StallsAbandoned == attempts), RunWaits.Timeout,
                () => $"the client should have given up on each of the {attempts} stalls; it gave up on {server.StallsAbandoned}");
        }

        Assert.Equal(ExpectedMessage(fault, server.BaseUrl + "/v1"), failed.Error);
        AssertPlain(failed.Error!);
        Assert.Null(failed.Output);

        var details = (await app.Get<IBuildQueries>().GetAsync(actor, buildId))!;
        Assert.Equal((BuildState.Failed, failed.Error, true), (details.State, details.StatusReason, details.CanRetry));

        await commands.RetryAsync(actor, buildId, details.Version);

        var retried = await app.ForRunAsync(buildId, Phase.Discovery, 2, PhaseRunStatus.AwaitingApproval);
        Assert.Equal(Answer, retried.Output);
        Assert.Equal(attempts + 1, server.Requests.Count);
        await using var db = await app.CreateDbContextAsync();
        var answers = await db.ConversationMessages.Where(m => m.BuildId == buildId && m.Author == MessageAuthor.Assistant).Select(m => m.Content).ToListAsync();
        Assert.Equal([Answer], answers);
        var actions = await db.AuditEvents.Where(e => e.BuildId == buildId).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync();
        Assert.Equal(
            [AuditActions.BuildStarted, AuditActions.RunStarted, AuditActions.RunFailed, AuditActions.RunRetried, AuditActions.RunStarted, AuditActions.RunCompleted],
            actions);
    }

    [Fact]
    public async Task PhaseRun_StreamCutMidwayOnce_RetriesFromTheStartAndStoresTheAnswerOnce()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseText = Answer;
        await using var app = await TestAppHost.StartAsync(ModelSettings.OpenAi(server.BaseUrl, MaxRetries));
        var events = app.Get<IBuildEvents>();
        var shownBeforeTheCut = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarts = 0;
        events.OutputStreamed += output =>
        {
            if (output.Restarted)
            {
                Interlocked.Increment(ref restarts);
            }
            else if (events.StreamedSoFar(output.RunId) is { Length: > 20 } soFar)
            {
                shownBeforeTheCut.TrySetResult(soFar);
            }
        };
        server.EnqueueFailures(ScriptedFailure.DropAfter(4, when: shownBeforeTheCut.Task));
        var actor = await app.CreateUserAsync($"{Guid.NewGuid():N}@example.com");

        var buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));
        var done = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);

        // The cut happened after part of the answer was on the page; the page was told to start again, once.
        Assert.StartsWith(await shownBeforeTheCut.Task, Answer, StringComparison.Ordinal);
        Assert.Equal([ScriptedFailure.DropAfter(4, when: shownBeforeTheCut.Task)], server.FailuresSent);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(1, restarts);
        Assert.Equal((Answer, 1), (done.Output, done.ExecutionCount));
        await using var db = await app.CreateDbContextAsync();
        var messages = await db.ConversationMessages.Where(m => m.PhaseRunId == done.Id).OrderBy(m => m.Sequence).ToListAsync();
        Assert.Equal([MessageAuthor.System, MessageAuthor.User, MessageAuthor.Assistant], messages.Select(m => m.Author));
        Assert.Equal(Answer, messages[2].Content);
    }

    /// <summary>
    /// One signal per try, set once that try's text is on its way to the page. A reset connection discards what the client
    /// has not read, so a cut "midway" waits for it: the half answer has really been shown when the stream breaks.
    /// </summary>
    private static Task[] TextShownPerTry(IBuildEvents events, int tries)
    {
        var shown = Enumerable.Range(0, tries).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var current = 0;
        events.OutputStreamed += output =>
        {
            if (output.Restarted)
            {
                Interlocked.Increment(ref current);
            }
            else if (Volatile.Read(ref current) < tries && output.Delta.Length > 0)
            {
                shown[Volatile.Read(ref current)].TrySetResult();
            }
        };
        return [.. shown.Select(s => s.Task)];
    }

    private static ScriptedFailure Failure(string fault, Task textShown) => fault switch
    {
        "429" => ScriptedFailure.Answer(HttpStatusCode.TooManyRequests),
        "500" => ScriptedFailure.Answer(HttpStatusCode.InternalServerError),
        "not a chat answer" => ScriptedFailure.NotAChatAnswer(),
        "malformed stream" => ScriptedFailure.MalformedStreamAfter(2),
        "timeout" => new ScriptedFailure(Stall: TimeSpan.FromSeconds(30)),
        "stream cut midway" => ScriptedFailure.DropAfter(1, when: textShown),
        "stream ended early" => ScriptedFailure.EndAfter(3),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    private static string ExpectedMessage(string fault, string endpoint) => fault switch
    {
        "429" => $"The model server at {endpoint} answered 429 Too Many Requests: Rate limit reached; please slow down. "
            + "The provider is rate-limiting or out of quota; try again later. Retried 2 times before giving up.",
        "500" => $"The model server at {endpoint} answered 500 Internal Server Error: The server had an error while processing your request. "
            + "The provider had a problem; try again later. Retried 2 times before giving up.",
        "timeout" => $"The model server at {endpoint} did not answer in time; the call was stopped. Try again, or raise Models:TimeoutSeconds. "
            + "Retried 2 times before giving up.",
        "not a chat answer" => $"The model server at {endpoint} answered with something that is not a chat answer (model fake-model); "
            + "check that BaseUrl points at a server for the OpenAI provider. Retried 2 times before giving up.",
        "malformed stream" => $"The model server at {endpoint} answered with something that is not a chat answer (model fake-model); "
            + $"check that BaseUrl points at a server for the OpenAI provider. This happened after {FirstPieces(2).Length} characters of the answer had arrived; "
            + "the half answer was discarded. Retried 2 times before giving up.",
        "stream cut midway" => $"The connection to the model server at {endpoint} broke while the answer was arriving: "
            + $"Unable to read data from the transport connection: Connection reset by peer. This happened after {FirstPieces(1).Length} characters of the answer "
            + "had arrived; the half answer was discarded. Retried 2 times before giving up.",
        "stream ended early" => $"The connection to the model server at {endpoint} broke while the answer was arriving: "
            + $"the answer ended before the model said it was complete. This happened after {FirstPieces(3).Length} characters of the answer "
            + "had arrived; the half answer was discarded. Retried 2 times before giving up.",
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    private static string FirstPieces(int chunks) => string.Concat(FakeOpenAiServer.Pieces(Answer, 2).Take(chunks));

    /// <summary>Words for a person: no exception type names, no stack trace, one paragraph.</summary>
    internal static void AssertPlain(string message)
    {
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\bat [\w.`<>]+\(", message);
        Assert.DoesNotContain("\n", message, StringComparison.Ordinal);
        Assert.DoesNotContain(ModelSettings.ApiKey, message, StringComparison.Ordinal);
    }
}
