using System.Net;
using System.Text.Json.Nodes;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace AiStudio.Tests.Observability;

/// <summary>The real web app's health endpoints, healthy and with real faults: a locked database file, a stopped job engine.</summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Ready_HealthyApp_AnswersOkWithTheDatabaseAndJobChecks()
    {
        await using var app = await WebApp.StartAsync();

        var (status, body) = await app.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", (string?)body["status"]);
        Assert.Equal(["database", "jobs", "outbox"], Names(body));
        Assert.All(Checks(body), check =>
        {
            Assert.Equal("ok", (string?)check["status"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)check["description"]), check.ToJsonString());
        });

        var (liveStatus, live) = await app.GetAsync("health/live");
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal(["process"], Names(live));

        // The original /health is the readiness probe.
        var (aliasStatus, alias) = await app.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, aliasStatus);
        Assert.Equal(["database", "jobs", "outbox"], Names(alias));
    }

    [Fact]
    public async Task Ready_DatabaseLockedByAnotherProcess_Answers503WhileLiveStaysOk()
    {
        await using var app = await WebApp.StartAsync();
        var databaseFile = Path.Combine(app.Factory.DataDirectory, "aistudio.db");

        // Another program (a backup tool, the sqlite3 shell) takes the file's exclusive lock and keeps it. The app's idle
        // pooled connections would share the file and stop the lock from being taken: they are closed first, as a restart would.
        using (var appConnection = new SqliteConnection($"Data Source={databaseFile}"))
        {
            SqliteConnection.ClearPool(appConnection);
        }

        await using var locker = new SqliteConnection($"Data Source={databaseFile};Pooling=False");
        await locker.OpenAsync();
        await Execute(locker, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE RolePrompts SET Text = Text WHERE 0;");

        // The fault is real: any other connection is now refused.
        await using (var other = new SqliteConnection($"Data Source={databaseFile};Pooling=False;Default Timeout=1"))
        {
            await other.OpenAsync();
            var refused = await Assert.ThrowsAsync<SqliteException>(() => Execute(other, "SELECT COUNT(*) FROM RolePrompts;"));
            Assert.Equal(5, refused.SqliteErrorCode); // SQLITE_BUSY
        }

        var (status, body) = await app.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", (string?)body["status"]);
        var database = Checks(body).Single(c => (string?)c["name"] == "database");
        Assert.Equal("unhealthy", (string?)database["status"]);
        Assert.Contains("did not answer", (string?)database["description"]);
        Assert.DoesNotContain("   at ", body.ToJsonString()); // no stack trace
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.GetAsync("health")).Status);

        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("health/live")).Status);

        // Released, the app is ready again.
        await Execute(locker, "ROLLBACK; PRAGMA locking_mode=NORMAL; SELECT COUNT(*) FROM RolePrompts;");
        await locker.CloseAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("health/ready")).Status);
    }

    [Fact]
    public async Task Ready_JobEngineShutDown_Answers503WhileLiveStaysOk()
    {
        await using var app = await WebApp.StartAsync();
        var scheduler = (await app.Factory.Services.GetRequiredService<ISchedulerFactory>().GetAllSchedulers()).Single();
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("health/ready")).Status);

        await scheduler.Shutdown(waitForJobsToComplete: false);
        Assert.Equal(SchedulerStatus.Shutdown, scheduler.Status);

        var (status, body) = await app.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var jobs = Checks(body).Single(c => (string?)c["name"] == "jobs");
        Assert.Equal("The job engine has shut down: phase runs are not executed.", (string?)jobs["description"]);
        Assert.Equal("unhealthy", (string?)jobs["status"]);
        Assert.Equal("ok", (string?)Checks(body).Single(c => (string?)c["name"] == "database")["status"]);

        var (liveStatus, live) = await app.GetAsync("health/live");
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("ok", (string?)live["status"]);
    }

    [Fact]
    public async Task Ready_NoticeWaitingMoreThanAMinute_AnswersDegradedInWordsAndStaysReady()
    {
        await using var app = await WebApp.StartAsync();
        var contexts = app.Factory.Services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>();
        var written = DateTimeOffset.UtcNow.AddMinutes(-5);
        await using (var db = await contexts.CreateDbContextAsync())
        {
            // A notice of a kind this version cannot hand on, written five minutes ago: it stays in the outbox.
            db.AddNotice(new NoticeNobodyHandles(), written);
            await db.SaveChangesAsync();
        }

        await Eventually.Until(
            async () =>
            {
                await using var db = await contexts.CreateDbContextAsync();
                return await db.OutboxMessages.AnyAsync(m => m.Attempts > 0);
            },
            RunWaits.Timeout,
            "the dispatcher should have tried the notice");
        var (status, body) = await app.GetAsync("health/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", (string?)body["status"]);
        var outbox = Checks(body).Single(c => (string?)c["name"] == "outbox");
        Assert.Equal("degraded", (string?)outbox["status"]);
        var description = (string)outbox["description"]!;
        Assert.StartsWith($"1 notice(s) have waited more than a minute to be handed on, the oldest since {written.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC", description);
        Assert.Contains("No handler is registered for outbox messages of kind 'test.nobody-handles'", description);
    }

    private sealed record NoticeNobodyHandles : IOutboxNotice
    {
        public static string Kind => "test.nobody-handles";
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static IEnumerable<JsonNode> Checks(JsonObject body) => body["checks"]!.AsArray().Select(c => c!);

    private static string[] Names(JsonObject body) => [.. Checks(body).Select(c => (string)c["name"]!).Order()];

    private sealed class WebApp : IAsyncDisposable
    {
        private readonly HttpClient _client;

        private WebApp(AiStudioWebFactory factory)
        {
            Factory = factory;
            _client = new HttpClient { BaseAddress = factory.StartAndGetAddress() };
        }

        public AiStudioWebFactory Factory { get; }

        public static Task<WebApp> StartAsync() => Task.FromResult(new WebApp(new AiStudioWebFactory()));

        public async Task<(HttpStatusCode Status, JsonObject Body)> GetAsync(string path)
        {
            using var response = await _client.GetAsync(path);
            Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await Factory.DisposeAsync();
        }
    }
}
