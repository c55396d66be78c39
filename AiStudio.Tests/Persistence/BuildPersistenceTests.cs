using System.Data.Common;
using System.Reflection;
using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Projects;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Persistence;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class BuildPersistenceTests(TestAppHostFixture fixture) : IClassFixture<TestAppHostFixture>
{
    private TestAppHost App => fixture.Host;

    [Fact]
    public async Task SaveChanges_BuildWithRunsAuditAndMessages_ReadsBackEveryFieldInAnotherContext()
    {
        var (build, audit, messages) = await SaveRichBuildAsync();

        await using var db = await App.CreateDbContextAsync();
        var loaded = await db.Builds.Include(b => b.Runs).SingleAsync(b => b.Id == build.Id);
        var loadedAudit = await db.AuditEvents.Where(e => e.BuildId == build.Id).OrderBy(e => e.Id).ToListAsync();
        var loadedMessages = await db.ConversationMessages.Where(m => m.BuildId == build.Id).OrderBy(m => m.Id).ToListAsync();

        AssertSameFields(build, loaded);
        Assert.Equal(build.CurrentRun!.Id, loaded.CurrentRun!.Id);
        Assert.Equal(build.Runs.Count, loaded.Runs.Count);
        foreach (var run in build.Runs)
        {
            AssertSameFields(run, loaded.Runs.Single(r => r.Id == run.Id));
        }

        Assert.Equal(audit.Count, loadedAudit.Count);
        foreach (var (expected, actual) in audit.Zip(loadedAudit))
        {
            AssertSameFields(expected, actual);
        }

        Assert.Equal(messages.Count, loadedMessages.Count);
        foreach (var (expected, actual) in messages.Zip(loadedMessages))
        {
            AssertSameFields(expected, actual);
        }
    }

    [Fact]
    public async Task SaveChanges_Enums_StoredAsStringsInTheTable()
    {
        var (build, _, _) = await SaveRichBuildAsync();

        await using var db = await App.CreateDbContextAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();

        // Quoted names and @ parameters read the same on SQLite and PostgreSQL.
        var buildRow = await ReadRowAsync(connection, "SELECT \"State\", \"SuspendedPhase\" FROM \"Builds\" WHERE \"Title\" = @title", ("@title", build.Title));
        var statuses = await ReadColumnAsync(connection,
            "SELECT \"Phase\" || ' ' || \"Attempt\" || ' ' || \"Status\" FROM \"PhaseRuns\" WHERE \"Phase\" IN ('Discovery', 'Planning') " +
            "AND \"BuildId\" IN (SELECT \"Id\" FROM \"Builds\" WHERE \"Title\" = @title) ORDER BY \"Phase\", \"Attempt\"", ("@title", build.Title));

        Assert.Equal(["OnHold", "Planning"], buildRow);
        Assert.Equal(["Discovery 1 Rejected", "Discovery 2 Approved", "Planning 1 AwaitingApproval"], statuses);
    }

    [Fact]
    public async Task SaveChanges_TwoContextsChangeSameBuild_SecondThrowsConcurrencyException()
    {
        var (build, _, _) = await SaveRichBuildAsync(hold: false);
        await using var first = await App.CreateDbContextAsync();
        await using var second = await App.CreateDbContextAsync();
        var firstCopy = await first.Builds.Include(b => b.Runs).SingleAsync(b => b.Id == build.Id);
        var secondCopy = await second.Builds.Include(b => b.Runs).SingleAsync(b => b.Id == build.Id);

        firstCopy.Hold(TestBuilds.Reviewer, TestBuilds.Now);
        await first.SaveChangesAsync();
        secondCopy.Cancel("Not needed.", TestBuilds.Reviewer, TestBuilds.Now);

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        await using var check = await App.CreateDbContextAsync();
        var stored = await check.Builds.Include(b => b.Runs).SingleAsync(b => b.Id == build.Id);
        Assert.Equal(BuildState.OnHold, stored.State);
        Assert.Equal(build.Version + 1, stored.Version);
        Assert.DoesNotContain(stored.Runs, r => r.Status == PhaseRunStatus.Cancelled);
    }

    [Fact]
    public async Task SaveChanges_TwoContextsClaimSameRun_SecondThrowsConcurrencyException()
    {
        var build = await SaveStartedBuildAsync();
        var runId = build.CurrentRun!.Id;
        await using var first = await App.CreateDbContextAsync();
        await using var second = await App.CreateDbContextAsync();
        var firstRun = await first.PhaseRuns.SingleAsync(r => r.Id == runId);
        var secondRun = await second.PhaseRuns.SingleAsync(r => r.Id == runId);

        var winner = firstRun.Claim(Guid.NewGuid(), TestBuilds.Now);
        await first.SaveChangesAsync();
        secondRun.Claim(Guid.NewGuid(), TestBuilds.Now);

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        await using var check = await App.CreateDbContextAsync();
        var stored = await check.PhaseRuns.SingleAsync(r => r.Id == runId);
        Assert.Equal((PhaseRunStatus.Running, winner, 1), (stored.Status, stored.ClaimToken!.Value, stored.ExecutionCount));
    }

    private async Task<Build> SaveStartedBuildAsync()
    {
        var owner = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        await using var db = await App.CreateDbContextAsync();
        var project = Project.Create("Persistence " + Guid.NewGuid().ToString("N")[..8], owner.UserId, TestBuilds.Now);
        var build = Build.Create(project.Id, "Export " + Guid.NewGuid().ToString("N"), "Finance needs every month's invoices as one CSV file.", owner.UserId, TestBuilds.Now);
        build.Start(TestBuilds.Now);
        db.Projects.Add(project);
        db.Builds.Add(build);
        await db.SaveChangesAsync();
        return build;
    }

    /// <summary>A build with a rejected, an approved and an awaiting attempt, held in Planning, with audit rows and messages.</summary>
    private async Task<(Build Build, List<AuditEvent> Audit, List<ConversationMessage> Messages)> SaveRichBuildAsync(bool hold = true)
    {
        var owner = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var now = TestBuilds.Now;
        var project = Project.Create("Persistence " + Guid.NewGuid().ToString("N")[..8], owner.UserId, now);
        var build = Build.Create(project.Id, "Export " + Guid.NewGuid().ToString("N"), "Finance needs every month's invoices as one CSV file.\nWith totals.", owner.UserId, now,
            new BuildGovernance(ApprovalPolicy.Automatic, ReworkCap: 5, CostBudget: 2.5m));
        build.Start(now.AddSeconds(1));
        var rejected = TestBuilds.CompleteCurrent(build);
        build.Reject(rejected.Id, "Name the CSV columns.", "Rita Reviewer", now.AddSeconds(2));
        var approved = TestBuilds.CompleteCurrent(build);
        build.Approve(approved.Id, "Rita Reviewer", now.AddSeconds(3), editedOutput: "# Requirements document\n\nEdited by Rita.");
        TestBuilds.CompleteCurrent(build);
        if (hold)
        {
            build.Hold("Rita Reviewer", now.AddSeconds(4));
        }

        List<AuditEvent> audit =
        [
            AuditEvent.Create(now, owner.UserId, owner.DisplayName, AuditActions.BuildStarted, "Build", build.Id.ToString(), project.Id, build.Id,
                before: "Created", after: "Discovery", detail: build.Title),
            AuditEvent.Create(now.AddSeconds(2), "system", "AiStudio", AuditActions.RunCompleted, "PhaseRun", approved.Id.ToString(), project.Id, build.Id,
                before: "Running", after: "AwaitingApproval", detail: "Discovery attempt 2", promptVersion: 3, modelId: "aistudio-offline-1", inputTokens: 1200, outputTokens: 640),
        ];
        List<ConversationMessage> messages =
        [
            ConversationMessage.Create(build.Id, approved.Id, AiRole.QAssistant, 0, MessageAuthor.System, "You are the Q Assistant.", now),
            ConversationMessage.Create(build.Id, approved.Id, AiRole.QAssistant, 1, MessageAuthor.User, "## Requirements\n\nCSV of invoices — “quoted” ✓", now),
            ConversationMessage.Create(build.Id, approved.Id, AiRole.QAssistant, 2, MessageAuthor.Assistant, approved.Output!, now.AddMilliseconds(850)),
        ];

        await using var db = await App.CreateDbContextAsync();
        db.Projects.Add(project);
        db.Builds.Add(build);
        db.AuditEvents.AddRange(audit);
        db.ConversationMessages.AddRange(messages);
        await db.SaveChangesAsync();
        return (build, audit, messages);
    }

    /// <summary>Every public scalar property, so that a field added later is covered without touching this test.</summary>
    private static void AssertSameFields<T>(T expected, T actual)
    {
        // An audit event's seal is written afterwards by the background sealer, so it may differ from the unsealed event saved.
        string[] sealedLater = [nameof(AuditEvent.Sequence), nameof(AuditEvent.PreviousHash), nameof(AuditEvent.Hash), nameof(AuditEvent.IsSealed)];
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => IsScalar(p.PropertyType) && !(typeof(T) == typeof(AuditEvent) && sealedLater.Contains(p.Name))))
        {
            var want = property.GetValue(expected);
            var got = property.GetValue(actual);
            Assert.True(Equals(want, got), $"{typeof(T).Name}.{property.Name}: saved {want ?? "null"}, read back {got ?? "null"}");
        }
    }

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(Guid) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(decimal);
    }

    private static async Task<List<string?>> ReadRowAsync(DbConnection connection, string sql, (string Name, object Value) parameter)
    {
        await using var command = Command(connection, sql, parameter);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "the row exists");
        return Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)).ToList();
    }

    private static async Task<List<string>> ReadColumnAsync(DbConnection connection, string sql, (string Name, object Value) parameter)
    {
        await using var command = Command(connection, sql, parameter);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value) parameter)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var p = command.CreateParameter();
        p.ParameterName = parameter.Name;
        p.Value = parameter.Value;
        command.Parameters.Add(p);
        return command;
    }
}
