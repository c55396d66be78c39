using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using AiStudio.Core.Roles;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Faults;

/// <summary>
/// Another connection holds SQLite's write lock for a while. A person's approval and the executor's save of a model
/// answer wait for it and are stored once; a lock that outlasts the wait is refused in words and changes nothing.
/// </summary>
public sealed class DatabaseLockTests
{
    private const string Requirements = "Customers receive an email reminder seven days before an invoice is due. Finance can switch reminders off per customer.";

    // How long the lock is held once an operation waits on it: the fault itself, not a wait for a condition.
    private static readonly TimeSpan LockHeldFor = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Approve_DatabaseLockedBriefly_WaitsForTheLockAndIsStoredOnce()
    {
        var recorder = new TransactionRecorder();
        await using var app = await StartAsync(recorder);
        var (actor, buildId, run, version) = await BuildAwaitingApprovalAsync(app);

        Task approving;
        await using (var held = await SqliteLock.TakeAsync(app.DataDirectory))
        {
            // The driver waits for the lock synchronously, so the approval runs on its own thread as a circuit's would.
            approving = Task.Run(() => app.Get<IBuildCommands>().DecideAsync(actor, buildId, run.Id, version, new Verdict.Approve()));
            await Eventually.Until(() => Task.FromResult(recorder.Writing(AuditActions.PhaseApproved).Count > 0), RunWaits.Timeout,
                "the approval should try to write while the lock is held");
            await Task.Delay(LockHeldFor);

            Assert.False(approving.IsCompleted, $"the approval should still wait for the lock: {approving.Exception?.GetBaseException().Message}");
            await held.ReleaseAsync();
            await approving;

            // The order of events: the lock was held, the approval asked to write, and it began writing only after the release.
            var write = Assert.Single(recorder.Writing(AuditActions.PhaseApproved));
            Assert.True(held.TakenAt < write.AskedAt && write.AskedAt < held.ReleasedAt, "the approval should have asked to write while the lock was held");
            Assert.True(write.BeganAt >= held.ReleasedAt, "the approval should have begun writing only after the lock was released");
        }

        await using var db = await app.CreateDbContextAsync();
        var stored = await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id);
        Assert.Equal(PhaseRunStatus.Approved, stored.Status);
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.PhaseApproved));
        Assert.Equal(1, await db.PhaseRunApprovals.CountAsync(a => a.PhaseRunId == run.Id));
        Assert.Equal(1, await db.PhaseRuns.CountAsync(r => r.BuildId == buildId && r.Phase == Phase.Planning));
        Assert.Equal(version + 1, (await db.Builds.AsNoTracking().SingleAsync(b => b.Id == buildId)).Version);
    }

    [Fact]
    public async Task Approve_DatabaseLockedLongerThanTheBusyTimeout_SaysSoAndChangesNothing()
    {
        var recorder = new TransactionRecorder();
        await using var app = await StartAsync(recorder, new Dictionary<string, string?> { ["Database:BusyTimeoutSeconds"] = "1" });
        var (actor, buildId, run, version) = await BuildAwaitingApprovalAsync(app);
        var commands = app.Get<IBuildCommands>();

        await using (var held = await SqliteLock.TakeAsync(app.DataDirectory))
        {
            var error = await Assert.ThrowsAsync<DatabaseBusyException>(() =>
                Task.Run(() => commands.DecideAsync(actor, buildId, run.Id, version, new Verdict.Approve())));

            Assert.True(held.IsHeld, "the lock should still be held when the approval gives up");
            Assert.Single(recorder.Writing(AuditActions.PhaseApproved), t => t.AskedAt > held.TakenAt && t.BeganAt is null);
            Assert.Equal(
                "The database was busy with other work for more than 1 s, so your change to the build was not saved and nothing changed. Try again in a moment.",
                error.Message);
        }

        // Nothing changed, and the same approval, tried again, is applied once.
        await using (var db = await app.CreateDbContextAsync())
        {
            Assert.Equal(PhaseRunStatus.AwaitingApproval, (await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id)).Status);
            Assert.Equal(version, (await db.Builds.AsNoTracking().SingleAsync(b => b.Id == buildId)).Version);
            Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.PhaseApproved));
            Assert.Equal(0, await db.PhaseRunApprovals.CountAsync(a => a.PhaseRunId == run.Id));
        }

        await commands.DecideAsync(actor, buildId, run.Id, version, new Verdict.Approve());

        await using (var db = await app.CreateDbContextAsync())
        {
            Assert.Equal(PhaseRunStatus.Approved, (await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id)).Status);
            Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.PhaseApproved));
        }
    }

    [Fact]
    public async Task ExecutorSave_DatabaseLockedPastTheBusyTimeoutWhenTheAnswerArrives_IsRetriedAndStoredOnce()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var answerMayGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.HoldAnswersUntil = answerMayGo.Task;
        var recorder = new TransactionRecorder();
        var settings = ModelSettings.OpenAi(server.BaseUrl);
        settings["Database:BusyTimeoutSeconds"] = "1"; // shorter than the lock: the driver's wait alone is not enough
        await using var app = await StartAsync(recorder, settings);
        var actor = await app.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));
        var running = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.Running);
        await Eventually.Until(() => Task.FromResult(server.Requests.Count == 1), RunWaits.Timeout, "the model should have been called");

        await using (var held = await SqliteLock.TakeAsync(app.DataDirectory))
        {
            answerMayGo.SetResult();
            await Eventually.Until(() => Task.FromResult(recorder.Writing(AuditActions.RunCompleted).Count > 0), RunWaits.Timeout,
                "the executor should try to store the answer while the lock is held");
            await Task.Delay(LockHeldFor);

            Assert.Equal(PhaseRunStatus.Running, (await ReadRunAsync(app, running.Id)).Status);
            await held.ReleaseAsync();

            var done = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
            Assert.Equal((server.ResponseText, 1), (done.Output, done.ExecutionCount));
            // The first save met the lock and gave up after the busy timeout; the executor tried again and got through after the release.
            var writes = recorder.Writing(AuditActions.RunCompleted);
            Assert.True(writes.Count >= 2, $"the executor should have tried to save more than once; it tried {writes.Count} times");
            Assert.True(writes[0].AskedAt > held.TakenAt && writes[0].AskedAt < held.ReleasedAt, "the executor should have asked to write while the lock was held");
            Assert.Null(writes[0].BeganAt);
            Assert.True(writes[^1].BeganAt >= held.ReleasedAt, "the executor's save should have gone through only after the release");
        }

        await using var db = await app.CreateDbContextAsync();
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunCompleted));
        Assert.Equal(
            [MessageAuthor.System, MessageAuthor.User, MessageAuthor.Assistant],
            await db.ConversationMessages.Where(m => m.PhaseRunId == running.Id).OrderBy(m => m.Sequence).Select(m => m.Author).ToListAsync());
    }

    [Fact]
    public async Task ApiStartBuild_DatabaseLockedLongerThanTheBusyTimeout_Answers503AndCreatesNothing()
    {
        var api = new Api.ApiHost(new Dictionary<string, string?> { ["Database:BusyTimeoutSeconds"] = "1" });
        await api.InitializeAsync();
        try
        {
            using var client = api.Client(api.AliceToken);
            var request = new { projectName = "Billing", title = "Invoice reminders", requirements = Requirements };
            await using (var held = await SqliteLock.TakeAsync(api.DataDirectory))
            {
                using var refused = await client.PostAsJsonAsync("api/builds", request);

                Assert.True(held.IsHeld);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                var problem = await refused.Content.ReadFromJsonAsync<JsonObject>();
                Assert.Equal(
                    "The database was busy with other work for more than 1 s, so the new build was not saved and nothing changed. Try again in a moment.",
                    (string?)problem!["detail"]);
            }

            await using (var db = await api.Services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync())
            {
                Assert.Equal(0, await db.Builds.CountAsync());
                Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.BuildStarted));
            }

            using var accepted = await client.PostAsJsonAsync("api/builds", request);
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
            await using (var db = await api.Services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync())
            {
                Assert.Equal(1, await db.Builds.CountAsync());
            }
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData(null, 30)]
    public void DatabaseSettings_BusyTimeout_IsTheSqliteConnectionsDefaultTimeout(string? configured, int expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:BusyTimeoutSeconds"] = configured }).Build();

        var settings = DatabaseSettings.From(configuration, Path.GetTempPath());

        Assert.Equal(expected, new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ConnectionString).DefaultTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("soon")]
    public void DatabaseSettings_BusyTimeoutNotAPositiveNumber_RefusesToStartNamingTheSetting(string configured)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:BusyTimeoutSeconds"] = configured }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => DatabaseSettings.From(configuration, Path.GetTempPath()));

        Assert.Equal($"Database:BusyTimeoutSeconds is '{configured}'; use a whole number of seconds, 1 or more.", error.Message);
    }

    private static Task<TestAppHost> StartAsync(TransactionRecorder recorder, IDictionary<string, string?>? settings = null) =>
        TestAppHost.StartAsync(settings, services =>
            services.ConfigureDbContext<SqliteAiStudioDbContext>((_, options) => options.AddInterceptors(recorder)));

    private static async Task<(Actor Actor, Guid BuildId, PhaseRun Run, int Version)> BuildAwaitingApprovalAsync(TestAppHost app)
    {
        var actor = await app.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var buildId = await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Billing", "Invoice reminders", Requirements));
        var run = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        var details = (await app.Get<IBuildQueries>().GetAsync(actor, buildId))!;
        return (actor, buildId, run, details.Version);
    }

    private static async Task<PhaseRun> ReadRunAsync(TestAppHost app, Guid runId)
    {
        await using var db = await app.CreateDbContextAsync();
        return await db.PhaseRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
    }
}
