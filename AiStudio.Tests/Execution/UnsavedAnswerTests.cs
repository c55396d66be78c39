using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Roles;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Execution;

/// <summary>
/// The database stops taking writes while the model streams (as with <c>chattr +i</c> on the SQLite files): the paid-for
/// answer is not lost and the run does not stay Running until a restart.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class UnsavedAnswerTests
{
    [Fact]
    public async Task Answer_DatabaseRefusesTheFirstSaves_IsStoredAwaitingApproval()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var answerMayGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.HoldAnswersUntil = answerMayGo.Task;
        var fault = new WriteFault();
        await using var app = await TestAppHost.StartAsync(ModelSettings.OpenAi(server.BaseUrl), s => s.AddSingleton<IInterceptor>(fault));
        var (_, buildId, running) = await ModelCallInFlight.StartAsync(app, server);

        fault.RefuseNext(2, "UPDATE \"PhaseRuns\"");
        answerMayGo.SetResult();

        var done = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        Assert.Equal(2, fault.RefusedWritesOf("PhaseRuns"));
        Assert.Equal((running.Id, server.ResponseText, 1), (done.Id, done.Output, done.ExecutionCount));
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunCompleted));
        Assert.Equal(1, await db.ConversationMessages.CountAsync(m => m.PhaseRunId == running.Id && m.Author == MessageAuthor.Assistant));
    }

    [Fact]
    public async Task Answer_DatabaseRefusesWritesUntilFixed_RunFailsInWordsWithTheAnswerKeptAndRetryRunsAgain()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var answerMayGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.HoldAnswersUntil = answerMayGo.Task;
        var fault = new WriteFault();
        await using var app = await TestAppHost.StartAsync(ModelSettings.OpenAi(server.BaseUrl), s => s.AddSingleton<IInterceptor>(fault));
        var (actor, buildId, running) = await ModelCallInFlight.StartAsync(app, server);

        fault.On = true;
        answerMayGo.SetResult();

        // Five saves of the answer are refused, then the save of the failure that keeps it: nothing could be written yet.
        await Eventually.Until(() => Task.FromResult(fault.FailedSavesOf(nameof(PhaseRun)) >= 6), RunWaits.Timeout,
            () => $"the executor should keep trying to store the run's outcome; {fault.FailedSavesOf(nameof(PhaseRun))} saves refused so far");
        await using (var db = await app.CreateDbContextAsync())
        {
            Assert.Equal(PhaseRunStatus.Running, (await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == running.Id)).Status);
        }

        // The database takes writes again, with no restart: the run fails in words and keeps the answer.
        fault.On = false;
        var failed = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.Failed);
        Assert.Equal(server.ResponseText, failed.Output);
        Assert.Contains("its answer could not be saved", failed.Error);
        Assert.Contains("Retry", failed.Error);
        Assert.DoesNotContain("Exception", failed.Error);
        Assert.True(failed.OutputTokens > 0, "the paid-for tokens are recorded");

        var details = await app.Get<IBuildQueries>().GetAsync(actor, buildId);
        Assert.Equal(BuildState.Failed, details!.State);
        Assert.True(details.CanRetry);
        await using (var db = await app.CreateDbContextAsync())
        {
            Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunFailed));
        }

        await app.Get<IBuildCommands>().RetryAsync(actor, buildId, details.Version);
        var again = await app.ForRunAsync(buildId, Phase.Discovery, 2, PhaseRunStatus.AwaitingApproval);
        Assert.Equal(server.ResponseText, again.Output);
    }

    [Fact]
    public async Task Claim_DatabaseRefusesItLongerThanTheQuickRetries_RunIsClaimedOnceTheDatabaseTakesWrites()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var fault = new WriteFault();
        await using var app = await TestAppHost.StartAsync(ModelSettings.OpenAi(server.BaseUrl), s => s.AddSingleton<IInterceptor>(fault));
        var actor = await app.CreateUserAsync($"{Guid.NewGuid():N}@example.com");

        // Starting a build inserts its first run; the claim is the first UPDATE of it.
        fault.RefuseNext(7, "UPDATE \"PhaseRuns\"");
        var buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", ModelCallInFlight.Requirements));

        var done = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        Assert.Equal(7, fault.RefusedWritesOf("PhaseRuns"));
        Assert.Equal((server.ResponseText, 1), (done.Output, done.ExecutionCount));
    }
}
