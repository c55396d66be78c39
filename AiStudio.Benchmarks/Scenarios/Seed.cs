using AiStudio.Core.Builds;
using Microsoft.Data.Sqlite;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// Bulk rows straight into the app's tables with prepared SQL in one transaction: seeding a hundred thousand builds
/// through the services would take longer than everything measured. Values are written as EF Core writes them
/// (Guids as upper-case text, times as UTC ticks, enums by name).
/// </summary>
internal static class Seed
{
    public static string Id(Guid id) => id.ToString("D").ToUpperInvariant();

    public static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A project with the given members (user id, role); returns its id.</summary>
    public static async Task<Guid> ProjectAsync(SqliteConnection connection, string name, string ownerId, DateTimeOffset at, params (string UserId, string Role)[] members)
    {
        var id = Guid.NewGuid();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO Projects (Id, Name, CreatedBy, CreatedAt, UpdatedAt, RequireSeparateApprover, RequiredApprovals, Version) " +
            "VALUES ($id, $name, $owner, $at, $at, 0, 1, 1);";
        command.Parameters.AddWithValue("$id", Id(id));
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$owner", ownerId);
        command.Parameters.AddWithValue("$at", at.UtcTicks);
        await command.ExecuteNonQueryAsync();
        foreach (var (userId, role) in members)
        {
            await using var member = connection.CreateCommand();
            member.CommandText = "INSERT INTO ProjectMembers (ProjectId, UserId, Role, AddedAt) VALUES ($p, $u, $r, $at);";
            member.Parameters.AddWithValue("$p", Id(id));
            member.Parameters.AddWithValue("$u", userId);
            member.Parameters.AddWithValue("$r", role);
            member.Parameters.AddWithValue("$at", at.UtcTicks);
            await member.ExecuteNonQueryAsync();
        }

        return id;
    }

    /// <summary>
    /// <paramref name="count"/> builds spread round-robin over <paramref name="projects"/> and over the six phases and
    /// Complete, each with an approved run per earlier phase and a current one, updated a second apart.
    /// </summary>
    public static async Task BuildsAsync(SqliteConnection connection, IReadOnlyList<Guid> projects, string createdBy, int count, DateTimeOffset start)
    {
        await using var transaction = connection.BeginTransaction();
        await using var build = connection.CreateCommand();
        build.Transaction = transaction;
        build.CommandText = "INSERT INTO Builds (Id, ProjectId, Title, Requirements, State, Policy, ReworkCap, ReworkCycles, CreatedBy, CreatedAt, UpdatedAt, Version) " +
            "VALUES ($id, $project, $title, 'Seeded for the board benchmark.', $state, 'Manual', 3, 0, $by, $created, $updated, 1);";
        var buildId = build.Parameters.Add("$id", SqliteType.Text);
        var project = build.Parameters.Add("$project", SqliteType.Text);
        var title = build.Parameters.Add("$title", SqliteType.Text);
        var state = build.Parameters.Add("$state", SqliteType.Text);
        build.Parameters.AddWithValue("$by", createdBy);
        var created = build.Parameters.Add("$created", SqliteType.Integer);
        var updated = build.Parameters.Add("$updated", SqliteType.Integer);

        await using var run = connection.CreateCommand();
        run.Transaction = transaction;
        run.CommandText = "INSERT INTO PhaseRuns (Id, BuildId, Phase, Role, Attempt, Status, Cost, InputTokens, OutputTokens, ExecutionCount, QueuedAt, Version) " +
            "VALUES ($id, $build, $phase, $role, 1, $status, '0.0', 0, 0, 1, $queued, 1);";
        var runId = run.Parameters.Add("$id", SqliteType.Text);
        var runBuild = run.Parameters.Add("$build", SqliteType.Text);
        var phase = run.Parameters.Add("$phase", SqliteType.Text);
        var role = run.Parameters.Add("$role", SqliteType.Text);
        var status = run.Parameters.Add("$status", SqliteType.Text);
        var queued = run.Parameters.Add("$queued", SqliteType.Integer);

        var phases = Enum.GetValues<Phase>();
        for (var i = 0; i < count; i++)
        {
            var at = start.AddSeconds(i);
            var stage = i % (phases.Length + 1);
            var current = stage < phases.Length ? phases[stage].ToState() : BuildState.Complete;
            var id = Id(Guid.NewGuid());
            buildId.Value = id;
            project.Value = Id(projects[i % projects.Count]);
            title.Value = $"Seeded build {i}";
            state.Value = current.ToString();
            created.Value = at.UtcTicks;
            updated.Value = at.AddMinutes(5).UtcTicks;
            await build.ExecuteNonQueryAsync();

            runBuild.Value = id;
            for (var p = 0; p <= Math.Min(stage, phases.Length - 1); p++)
            {
                runId.Value = Id(Guid.NewGuid());
                phase.Value = phases[p].ToString();
                role.Value = phases[p].Role().ToString();
                status.Value = p < stage ? "Approved" : "AwaitingApproval";
                queued.Value = at.AddSeconds(p).UtcTicks;
                await run.ExecuteNonQueryAsync();
            }
        }

        await transaction.CommitAsync();
    }
}
