using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Roles;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace AiStudio.Tests.Execution;

/// <summary>
/// A person pauses or cancels the build while the model is still writing: the executor stores the answer against the
/// build as the person left it, never over their change.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ChangedWhileRunningTests
{
    [Fact]
    public async Task Answer_BuildPausedWhileTheModelWrote_IsStoredAndTheBuildStaysOnHold()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var answerMayGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.HoldAnswersUntil = answerMayGo.Task;
        await using var app = await TestAppHost.StartAsync(ModelSettings.OpenAi(server.BaseUrl));
        var (actor, buildId, running) = await ModelCallInFlight.StartAsync(app, server);

        await app.Get<IBuildCommands>().PauseAsync(actor, buildId, (await app.Get<IBuildQueries>().GetAsync(actor, buildId))!.Version);
        answerMayGo.SetResult();

        var done = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        Assert.Equal((running.Id, server.ResponseText, 1), (done.Id, done.Output, done.ExecutionCount));
        await using var db = await app.CreateDbContextAsync();
        var build = await db.Builds.AsNoTracking().SingleAsync(b => b.Id == buildId);
        Assert.Equal((BuildState.OnHold, Phase.Discovery, $"Paused by {actor.DisplayName}."), (build.State, build.SuspendedPhase, build.StatusReason));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunCompleted));
    }

    [Fact]
    public async Task Answer_BuildCancelledWhileTheModelWrote_IsDiscardedAndTheRunStaysCancelled()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var answerMayGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.HoldAnswersUntil = answerMayGo.Task;
        await using var app = await TestAppHost.StartAsync(ModelSettings.OpenAi(server.BaseUrl));
        var (actor, buildId, running) = await ModelCallInFlight.StartAsync(app, server);

        await app.Get<IBuildCommands>().CancelAsync(actor, buildId, (await app.Get<IBuildQueries>().GetAsync(actor, buildId))!.Version, "Not needed any more.");
        answerMayGo.SetResult();

        // The job is gone from Quartz's store once the executor has finished with the answer.
        var scheduler = await app.Get<ISchedulerFactory>().GetScheduler();
        await Eventually.Until(async () => !await scheduler.Exists(new JobKey($"run-{running.Id}", "phase-runs")), RunWaits.Timeout,
            "the executor should have finished with the run's answer");
        await using var db = await app.CreateDbContextAsync();
        var run = await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == running.Id);
        Assert.Equal((PhaseRunStatus.Cancelled, (string?)null), (run.Status, run.Output));
        Assert.Equal(BuildState.Cancelled, (await db.Builds.AsNoTracking().SingleAsync(b => b.Id == buildId)).State);
        Assert.False(await db.ConversationMessages.AnyAsync(m => m.PhaseRunId == running.Id && m.Author == MessageAuthor.Assistant));
        Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunCompleted));
    }
}
