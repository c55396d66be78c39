using System.Diagnostics;
using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// One app database holding a sealed audit trail of the given length, shared by the paging and the verification
/// benchmarks of a run (seeding a million events takes longer than either measurement). Events are sealed as the
/// sealer seals them (the same <see cref="AuditChainHash"/>), so verification walks a genuine chain.
/// </summary>
internal static class SharedAuditTrail
{
    public const string RareActor = "auditor-rare@example.com";

    public static readonly string[] Actions =
    [
        AuditActions.RunStarted, AuditActions.RunCompleted, AuditActions.PhaseApproved, AuditActions.BuildStarted, AuditActions.RunStarted,
        AuditActions.RunCompleted, AuditActions.PhaseApproved, AuditActions.SignedIn, AuditActions.PhaseRejected, AuditActions.BuildCompleted,
    ];

    private static (int Size, CoreHost Host, Actor Admin, Guid RareBuild, DateTimeOffset Start)? s_trail;

    public static async Task<(CoreHost Host, Actor Admin, Guid RareBuild, DateTimeOffset Start)> GetAsync(int size, Progress log)
    {
        if (s_trail is { } existing && existing.Size == size)
        {
            return (existing.Host, existing.Admin, existing.RareBuild, existing.Start);
        }

        await DisposeAsync();
        var host = await CoreHost.StartAsync("audit");
        var admin = await host.CreateUserAsync("admin@example.com", isAdmin: true);
        var start = DateTimeOffset.UtcNow.AddDays(-400);
        log.Line($"   seeding a sealed audit trail of {size:N0} events");
        var clock = Stopwatch.StartNew();
        var rareBuild = await SeedAsync(host, size, start);
        log.Line($"   seeded in {clock.Elapsed.TotalSeconds:0.0} s");
        s_trail = (size, host, admin, rareBuild, start);
        return (host, admin, rareBuild, start);
    }

    public static async Task DisposeAsync()
    {
        if (s_trail is { } trail)
        {
            s_trail = null;
            await trail.Host.DisposeAsync();
        }
    }

    private static async Task<Guid> SeedAsync(CoreHost host, int size, DateTimeOffset start)
    {
        // Anything the app audited at start is sealed first, so the seeded events continue the chain after it.
        await host.Get<IAuditSealer>().SealPendingAsync();
        long lastId;
        AuditChainHead head;
        await using (var db = await host.CreateDbContextAsync())
        {
            lastId = await db.AuditEvents.MaxAsync(e => (long?)e.Id) ?? 0;
            head = await db.Set<AuditChainHead>().AsNoTracking().SingleAsync();
        }

        var projects = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        var builds = Enumerable.Range(0, 5_000).Select(_ => Guid.NewGuid()).ToArray();
        var rareBuild = Guid.NewGuid();
        await using var connection = await host.OpenRawConnectionAsync();
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO AuditEvents (Id, OccurredAt, ActorId, ActorName, Action, EntityType, EntityId, ProjectId, BuildId, Before, After, Detail, " +
            "PromptVersion, ModelId, InputTokens, OutputTokens, Cost, Sequence, PreviousHash, Hash) VALUES ($id, $at, $actorId, $actorName, $action, $type, $entity, " +
            "$project, $build, $before, $after, $detail, $prompt, $model, $in, $out, $cost, $seq, $prev, $hash);";
        var p = new Dictionary<string, SqliteParameter>();
        foreach (var name in new[] { "id", "at", "actorId", "actorName", "action", "type", "entity", "project", "build", "before", "after", "detail", "prompt", "model", "in", "out", "cost", "seq", "prev", "hash" })
        {
            p[name] = insert.Parameters.Add("$" + name, SqliteType.Text);
        }

        var sequence = head.LastSequence;
        var previous = head.LastHash;
        for (var i = 0; i < size; i++)
        {
            var rare = i % 10_000 == 500;
            var user = rare ? RareActor : $"user{i % 50}@example.com";
            var action = Actions[i % Actions.Length];
            var build = rare ? rareBuild : builds[i % builds.Length];
            var completed = action == AuditActions.RunCompleted;
            var e = AuditEvent.Restore(
                lastId + 1 + i, start.AddSeconds(i * 30), $"id-{user}", user, action, action.StartsWith("account", StringComparison.Ordinal) ? "User" : "PhaseRun",
                Guid.NewGuid().ToString(), projects[i % projects.Length], build, "Queued", "Running",
                completed ? "Implementation attempt 1 in 12.3 s, 0.001234 USD" : "Implementation attempt 1",
                completed ? 3 : null, completed ? "gpt-4o-mini" : null, completed ? 1_200 : null, completed ? 850 : null, completed ? 0.001234m : null,
                null, null, null);
            e.Seal(++sequence, previous);
            previous = e.Hash!;

            p["id"].Value = e.Id;
            p["at"].Value = e.OccurredAt.UtcTicks;
            p["actorId"].Value = e.ActorId;
            p["actorName"].Value = e.ActorName;
            p["action"].Value = e.Action;
            p["type"].Value = e.EntityType;
            p["entity"].Value = e.EntityId;
            p["project"].Value = connection.Id(e.ProjectId!.Value);
            p["build"].Value = connection.Id(e.BuildId!.Value);
            p["before"].Value = e.Before;
            p["after"].Value = e.After;
            p["detail"].Value = e.Detail;
            p["prompt"].Value = (object?)e.PromptVersion ?? DBNull.Value;
            p["model"].Value = (object?)e.ModelId ?? DBNull.Value;
            p["in"].Value = (object?)e.InputTokens ?? DBNull.Value;
            p["out"].Value = (object?)e.OutputTokens ?? DBNull.Value;
            p["cost"].Value = e.Cost is { } cost ? cost.ToString("0.0###########################", System.Globalization.CultureInfo.InvariantCulture) : DBNull.Value;
            p["seq"].Value = e.Sequence;
            p["prev"].Value = e.PreviousHash;
            p["hash"].Value = e.Hash;
            await insert.ExecuteNonQueryAsync();
        }

        await using (var moveHead = connection.CreateCommand())
        {
            moveHead.Transaction = transaction;
            moveHead.CommandText = "UPDATE AuditChainHead SET LastSequence = $seq, LastHash = $hash WHERE Id = $id;";
            moveHead.Parameters.AddWithValue("$seq", sequence);
            moveHead.Parameters.AddWithValue("$hash", previous);
            moveHead.Parameters.AddWithValue("$id", AuditChainHead.SingletonId);
            await moveHead.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        await connection.ExecuteAsync("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);");
        return rareBuild;
    }
}
