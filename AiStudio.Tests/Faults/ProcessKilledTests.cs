using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Roles;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Faults;

/// <summary>
/// The app's process is killed with SIGKILL while the model is in the middle of an answer; started again on the same
/// database, it completes the run exactly once: one attempt, one answer, one set of messages, audit events and costs.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ProcessKilledTests
{
    private const int SigKillExitCode = 128 + 9;
    private const string Model = "gpt-4o-mini"; // priced, so a duplicated cost would show
    private const string Answer = "## Requirements\n\n1. A reminder goes out seven days before the due date.\n2. Finance can switch reminders off per customer.\n3. Every reminder sent is logged.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task App_KilledDuringModelCall_RestartCompletesTheRunExactlyOnce()
    {
        var folder = TestAppHost.NewDataDirectory();
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ResponseText = Answer;
        server.EnqueueFailures(ScriptedFailure.StallAfter(2)); // two pieces of the answer, then silence until the client goes
        var settings = AppSettings(folder, server.BaseUrl);
        try
        {
            var token = await AppProcess.CreateApiTokenAsync(folder, settings, "killed@example.com");

            Guid buildId;
            await using (var first = await AppProcess.StartAsync(settings))
            {
                using var api = first.Api(token);
                var started = await api.PostAsJsonAsync("api/builds", new { projectName = "Billing", title = "Invoice reminders", requirements = "Remind customers a week before an invoice is due." });
                Assert.True(started.IsSuccessStatusCode, $"{started.StatusCode}: {await started.Content.ReadAsStringAsync()}\n{first.Output}");
                buildId = (await started.Content.ReadFromJsonAsync<BuildStatus>(Json))!.Id;
                await Eventually.Until(() => Task.FromResult(server.StallsStarted == 1), RunWaits.Timeout,
                    () => $"the model server should be stalled mid-answer\n{first.Output}");

                // The model call is in flight: the run is claimed and part of the answer was sent.
                Assert.Equal((PhaseRunStatus.Running, 1, null), await RunStateAsync(folder, buildId));

                var exitCode = await first.KillAsync();

                Assert.Equal(SigKillExitCode, exitCode);
            }

            // The fault really happened: the process died mid-call (its connection went with it) and left the run Running.
            await Eventually.Until(() => Task.FromResult(server.StallsAbandoned == 1), RunWaits.Timeout,
                "the model server should see the killed process's connection close");
            Assert.Equal((PhaseRunStatus.Running, 1, null), await RunStateAsync(folder, buildId));

            await using (var second = await AppProcess.StartAsync(settings))
            {
                await Eventually.Until(async () => (await RunStateAsync(folder, buildId)).Status == PhaseRunStatus.AwaitingApproval, RunWaits.Timeout,
                    () => $"the restarted app should complete the interrupted run\n{second.Output}");

                using var api = second.Api(token);
                var build = (await api.GetFromJsonAsync<BuildStatus>($"api/builds/{buildId}", Json))!;
                var run = Assert.Single(build.Runs);
                Assert.Equal((Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval), (run.Phase, run.Attempt, run.Status));
                Assert.True(run.Cost > 0, "the model is priced, so the run has a cost");
                Assert.Equal(run.Cost, build.TotalCost);
            }

            Assert.Equal(2, server.Requests.Count);
            await using var db = TestDatabase.OpenContext(folder);
            var stored = await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.BuildId == buildId);
            Assert.Equal((Answer, 2), (stored.Output, stored.ExecutionCount));
            var messages = await db.ConversationMessages.Where(m => m.BuildId == buildId).OrderBy(m => m.Sequence).ToListAsync();
            Assert.Equal([MessageAuthor.System, MessageAuthor.User, MessageAuthor.Assistant], messages.Select(m => m.Author));
            Assert.Equal(Answer, messages[2].Content);
            var audit = await db.AuditEvents.Where(e => e.BuildId == buildId).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal(
                [AuditActions.BuildStarted, AuditActions.RunStarted, AuditActions.RunRequeued, AuditActions.RunStarted, AuditActions.RunCompleted],
                audit.Select(e => e.Action));
            Assert.Equal(stored.Cost, audit.Sum(e => e.Cost ?? 0));

            await using var host = await TestAppHost.StartAsync(folder, settings);
            var owner = await OwnerAsync(host);
            var artifacts = (await host.Get<AiStudio.Core.Artifacts.IArtifactService>().GetPhaseArtifactsAsync(owner, buildId, stored.Id))!;
            Assert.NotEmpty(artifacts.Files);
            Assert.All(artifacts.Files, f => Assert.Single(
                System.Text.RegularExpressions.Regex.Matches(System.Text.Encoding.UTF8.GetString(f.Content), "A reminder goes out seven days")));
        }
        finally
        {
            TestAppHost.TryDelete(folder);
        }
    }

    private static Dictionary<string, string?> AppSettings(string folder, string modelServer)
    {
        var settings = TestAppHost.DefaultSettings(folder);
        foreach (var (key, value) in ModelSettings.OpenAi(modelServer))
        {
            settings[key] = value;
        }

        settings["Models:Default:Model"] = Model;
        return settings;
    }

    private static async Task<AiStudio.Core.Common.Actor> OwnerAsync(TestAppHost host)
    {
        await using var db = await host.CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Email == "killed@example.com");
        return new AiStudio.Core.Common.Actor(user.Id, user.Email!, false);
    }

    private static async Task<(PhaseRunStatus Status, int ExecutionCount, string? Output)> RunStateAsync(string folder, Guid buildId)
    {
        await using var db = TestDatabase.OpenContext(folder);
        var run = await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.BuildId == buildId);
        return (run.Status, run.ExecutionCount, run.Output);
    }

    private sealed record BuildStatus(Guid Id, BuildState State, decimal TotalCost, IReadOnlyList<RunStatus> Runs);

    private sealed record RunStatus(Guid Id, Phase Phase, int Attempt, PhaseRunStatus Status, decimal Cost);
}
