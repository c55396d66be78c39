using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Execution;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Outbox;

/// <summary>What a commit promises to do afterwards (schedule a run, tell pages) is done even when the hand-off fails.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class OutboxDispatchTests
{
    private const string Requirements = "Customers receive an email reminder seven days before an invoice is due, and finance can switch it off per customer.";

    [Fact]
    public async Task StartAsync_JobStoreRefusesTheRunRightAfterTheCommit_RunStillExecutesOnceWithoutARestart()
    {
        await using var app = await TestAppHost.StartAsync();
        var actor = await app.CreateUserAsync("refused@example.com");
        Guid buildId;
        OutboxMessage refused;
        await using (await JobStoreRefusal.StartAsync(app.DataDirectory))
        {
            buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));
            var runId = await RunIdAsync(app, buildId);

            // The fault really happened: the build is committed, the hand-off to Quartz failed and waits to be tried again.
            refused = await MessageAsync(app, runId, m => m.Attempts >= 1);
            Assert.Null(refused.DispatchedAt);
            Assert.Contains(JobStoreRefusal.Message, refused.LastError);
            Assert.Equal(0, await JobStoreRefusal.JobsForRunAsync(app.DataDirectory, runId));
            Assert.Equal(PhaseRunStatus.Queued, (await RunAsync(app, runId)).Status);
        }

        var done = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);

        Assert.Equal(1, done.ExecutionCount);
        var handedOn = await MessageAsync(app, done.Id, m => m.DispatchedAt is not null);
        Assert.Equal(refused.Id, handedOn.Id);
        Assert.True(handedOn.Attempts >= 2, $"the message should have been tried again after the refusal; attempts {handedOn.Attempts}");
        Assert.Null(handedOn.LastError);
        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunStarted));
    }

    [Fact]
    public async Task DispatchDueAsync_MessageNobodyHandles_IsKeptForLaterAndDoesNotHoldUpTheOthers()
    {
        await using var app = await TestAppHost.StartAsync();
        await using (var db = await app.CreateDbContextAsync())
        {
            db.AddNotice(new NoticeNobodyHandles("left over from a newer version"), DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }

        var actor = await app.CreateUserAsync("after@example.com");
        var buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));

        await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        await using var read = await app.CreateDbContextAsync();
        var kept = await read.OutboxMessages.AsNoTracking().SingleAsync(m => m.Kind == NoticeNobodyHandles.Kind);
        Assert.Null(kept.DispatchedAt);
        Assert.True(kept.Attempts >= 1);
        Assert.Contains("No handler is registered for outbox messages of kind 'test.nobody-handles'", kept.LastError);
        Assert.True(kept.DueAt > kept.CreatedAt, "a failed hand-off is tried again later, not at once");
    }

    [Fact]
    public async Task Recovery_QueuedRunWhoseJobTheStoreLost_GetsItsJobBackAtStartAndRunsOnce()
    {
        var folder = TestAppHost.NewDataDirectory();
        try
        {
            Guid buildId;
            Guid runId;
            var lost = new RecordingPhaseRunScheduler();
            await using (var first = await TestAppHost.StartAsync(folder, settings: null, services => services.AddSingleton<IPhaseRunScheduler>(lost)))
            {
                var actor = await first.CreateUserAsync("lost@example.com");
                buildId = await first.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));
                runId = await lost.SingleHandedOverAsync();

                // As after a power cut that took the job store's last commits: the run is queued, its job is not in the store.
                Assert.Equal(0, await JobStoreRefusal.JobsForRunAsync(first.DataDirectory, runId));
                Assert.Equal(PhaseRunStatus.Queued, (await RunAsync(first, runId)).Status);
            }

            await using var second = await TestAppHost.StartAsync(folder, settings: null);
            var done = await second.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);

            Assert.Equal(1, done.ExecutionCount);
        }
        finally
        {
            TestAppHost.TryDelete(folder);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]
    [InlineData(50, 60)]
    public void RetryDelay_AfterFailedAttempts_DoublesUpToAMinute(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), OutboxMessage.RetryDelay(attempts));

    private sealed record NoticeNobodyHandles(string Text) : IOutboxNotice
    {
        public static string Kind => "test.nobody-handles";
    }

    private static async Task<Guid> RunIdAsync(TestAppHost app, Guid buildId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.PhaseRuns.Where(r => r.BuildId == buildId).Select(r => r.Id).SingleAsync();
    }

    private static async Task<PhaseRun> RunAsync(TestAppHost app, Guid runId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
    }

    /// <summary>The run's "schedule this run" message, once it is as <paramref name="wanted"/> says.</summary>
    private static async Task<OutboxMessage> MessageAsync(TestAppHost app, Guid runId, Func<OutboxMessage, bool> wanted)
    {
        OutboxMessage? message = null;
        await Eventually.Until(
            async () =>
            {
                await using var db = await app.CreateDbContextAsync();
                message = await db.OutboxMessages.AsNoTracking()
                    .Where(m => m.Kind == ScheduleRun.Kind && m.Payload.Contains(runId.ToString()))
                    .OrderBy(m => m.Id)
                    .FirstOrDefaultAsync();
                return message is not null && wanted(message);
            },
            RunWaits.Timeout,
            () => $"the outbox message scheduling run {runId} is {(message is null ? "missing" : $"attempts {message.Attempts}, handed on {message.DispatchedAt}, error {message.LastError}")}");
        return message!;
    }
}
