using System.Net.Http.Json;
using AiStudio.Core.Builds;
using AiStudio.Core.Execution;
using AiStudio.Core.Outbox;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Faults;

/// <summary>
/// The app's process is killed after it committed a new build but before the build's first run reached Quartz: started
/// again, it hands the run over from its outbox and the run executes once.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ProcessKilledBeforeHandOffTests
{
    private const int SigKillExitCode = 128 + 9;

    [Fact]
    public async Task App_KilledBetweenCommitAndHandOff_RunExecutesOnceAfterItStartsAgain()
    {
        var folder = TestAppHost.NewDataDirectory();
        var settings = TestAppHost.DefaultSettings(folder);
        try
        {
            var token = await AppProcess.CreateApiTokenAsync(folder, settings, "handoff@example.com");
            Guid buildId;
            Guid runId;
            long messageId;
            await using (var first = await AppProcess.StartAsync(settings))
            await using (await JobStoreRefusal.StartAsync(folder))
            {
                using var api = first.Api(token);
                var started = await api.PostAsJsonAsync("api/builds", new { projectName = "Billing", title = "Invoice reminders", requirements = "Remind customers a week before an invoice is due." });
                Assert.True(started.IsSuccessStatusCode, $"{started.StatusCode}: {await started.Content.ReadAsStringAsync()}\n{first.Output}");
                buildId = (await started.Content.ReadFromJsonAsync<Created>())!.Id;

                // Committed, and the hand-off to Quartz has failed at least once: the process is between the two.
                (runId, messageId) = await RefusedHandOffAsync(folder, buildId, first);

                Assert.Equal(SigKillExitCode, await first.KillAsync());
            }

            // The fault really happened: the run is queued, its job never reached the store, its message is not handed on.
            Assert.Equal(0, await JobStoreRefusal.JobsForRunAsync(folder, runId));
            await using (var db = TestDatabase.OpenContext(folder))
            {
                Assert.Equal(PhaseRunStatus.Queued, (await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == runId)).Status);
                Assert.Null((await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == messageId)).DispatchedAt);
            }

            await using (var second = await AppProcess.StartAsync(settings))
            {
                await Eventually.Until(async () => (await RunAsync(folder, runId)).Status == PhaseRunStatus.AwaitingApproval, RunWaits.Timeout,
                    () => $"the restarted app should hand the run over and execute it\n{second.Output}");
            }

            Assert.Equal(1, (await RunAsync(folder, runId)).ExecutionCount);
            await using var read = TestDatabase.OpenContext(folder);
            Assert.NotNull((await read.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == messageId)).DispatchedAt);
        }
        finally
        {
            TestAppHost.TryDelete(folder);
        }
    }

    private sealed record Created(Guid Id);

    private static async Task<(Guid RunId, long MessageId)> RefusedHandOffAsync(string folder, Guid buildId, AppProcess app)
    {
        (Guid RunId, long MessageId, int Attempts)? seen = null;
        await Eventually.Until(
            async () =>
            {
                await using var db = TestDatabase.OpenContext(folder);
                var runId = await db.PhaseRuns.Where(r => r.BuildId == buildId).Select(r => r.Id).SingleAsync();
                var message = await db.OutboxMessages.AsNoTracking()
                    .SingleAsync(m => m.Kind == ScheduleRun.Kind && m.Payload.Contains(runId.ToString()));
                seen = (runId, message.Id, message.Attempts);
                return message.Attempts >= 1 && message.LastError!.Contains(JobStoreRefusal.Message);
            },
            RunWaits.Timeout,
            () => $"the hand-off should be refused; the message has {seen?.Attempts} attempts\n{app.Output}");
        return (seen!.Value.RunId, seen.Value.MessageId);
    }

    private static async Task<PhaseRun> RunAsync(string folder, Guid runId)
    {
        await using var db = TestDatabase.OpenContext(folder);
        return await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
    }
}
