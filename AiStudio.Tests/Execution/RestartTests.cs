using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Execution;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Execution;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class RestartTests
{
    private const string Requirements =
        "Accountants must export every month's invoices as one CSV file. Each row shows the invoice number, customer, currency and total. " +
        "Managers can see who exported what and when. An export of more than ten thousand invoices is split into several files. " +
        "Customers marked private are left out of the export.";

    // Slow enough that a run streams for a few seconds, so the host can be stopped in the middle of it.
    private static readonly Dictionary<string, string?> SlowModel = new() { ["Models:Offline:ChunkDelayMilliseconds"] = "20" };

    [Fact]
    public async Task StartAsync_HostStoppedMidRun_NewHostCompletesTheRunExactlyOnce()
    {
        var folder = TestAppHost.NewDataDirectory();
        try
        {
            Guid buildId;
            Guid runId;
            await using (var first = await TestAppHost.StartAsync(folder, SlowModel))
            {
                var actor = await first.CreateUserAsync("restart@example.com");
                buildId = await first.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Finance", "Invoice export", Requirements));
                var running = await first.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.Running);
                runId = running.Id;
                var events = first.Get<IBuildEvents>();
                await Eventually.Until(() => Task.FromResult(!string.IsNullOrEmpty(events.StreamedSoFar(runId))), RunWaits.Timeout,
                    "the offline model should have streamed some text");

                await first.StopAsync();
            }

            // The fault really happened: the process went away with the run in flight.
            var interrupted = await ReadRunAsync(folder, runId);
            Assert.Equal((PhaseRunStatus.Running, 1), (interrupted.Status, interrupted.ExecutionCount));
            Assert.Null(interrupted.Output);

            await using var second = await TestAppHost.StartAsync(folder, SlowModel);
            var done = await second.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);

            Assert.Equal(2, done.ExecutionCount);
            Assert.False(string.IsNullOrWhiteSpace(done.Output));
            await using var db = await second.CreateDbContextAsync();
            var runIds = await db.PhaseRuns.Where(r => r.BuildId == buildId).Select(r => r.Id).ToListAsync();
            var actions = await db.AuditEvents.Where(e => e.BuildId == buildId).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync();
            var messages = await db.ConversationMessages.Where(m => m.PhaseRunId == runId).OrderBy(m => m.Sequence).ToListAsync();

            Assert.Equal([runId], runIds);
            Assert.Equal(
                [AuditActions.BuildStarted, AuditActions.RunStarted, AuditActions.RunRequeued, AuditActions.RunStarted, AuditActions.RunCompleted],
                actions);
            Assert.Equal([0, 1, 2], messages.Select(m => m.Sequence));
            Assert.Equal([MessageAuthor.System, MessageAuthor.User, MessageAuthor.Assistant], messages.Select(m => m.Author));
            Assert.Equal(done.Output, messages[2].Content);
        }
        finally
        {
            TestAppHost.TryDelete(folder);
        }

        Assert.False(Directory.Exists(folder), $"the test's data folder {folder} should be removed");
    }

    [Fact]
    public async Task ExecuteAsync_FiredTwiceAtOnce_CompletesTheRunOnce()
    {
        var scheduler = new RecordingPhaseRunScheduler();
        await using var app = await TestAppHost.StartAsync(settings: null, services => services.AddSingleton<IPhaseRunScheduler>(scheduler));
        var actor = await app.CreateUserAsync("twice@example.com");
        var buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Finance", "Invoice export", Requirements));
        var runId = await scheduler.SingleHandedOverAsync();
        var executor = app.Get<PhaseRunExecutor>();

        await Task.WhenAll(executor.ExecuteAsync(runId, CancellationToken.None), executor.ExecuteAsync(runId, CancellationToken.None));

        await using var db = await app.CreateDbContextAsync();
        var run = await db.PhaseRuns.SingleAsync(r => r.Id == runId);
        Assert.Equal((PhaseRunStatus.AwaitingApproval, 1), (run.Status, run.ExecutionCount));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunStarted));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunCompleted));
        Assert.Equal([0, 1, 2], await db.ConversationMessages.Where(m => m.PhaseRunId == runId).OrderBy(m => m.Sequence).Select(m => m.Sequence).ToListAsync());

        // A third firing, after the fact, leaves the finished run alone.
        await executor.ExecuteAsync(runId, CancellationToken.None);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunCompleted));
    }

    private static async Task<PhaseRun> ReadRunAsync(string folder, Guid runId)
    {
        await using var db = TestDatabase.OpenContext(folder);
        return await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
    }
}
