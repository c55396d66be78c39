using System.Data.Common;
using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Builds;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// Bulk rows straight into the app's tables with prepared SQL in one transaction: seeding a hundred thousand builds
/// through the services would take longer than everything measured. Values are written as EF Core writes them on the
/// connection's provider (see <see cref="Sql"/>), enums by name.
/// </summary>
internal static class Seed
{
    /// <summary>A project with the given members (user id, role); returns its id.</summary>
    public static async Task<Guid> ProjectAsync(DbConnection connection, string name, string ownerId, DateTimeOffset at, params (string UserId, string Role)[] members)
    {
        var id = Guid.NewGuid();
        await using var command = connection.Command(
            "INSERT INTO \"Projects\" (\"Id\", \"Name\", \"CreatedBy\", \"CreatedAt\", \"UpdatedAt\", \"RequireSeparateApprover\", \"RequiredApprovals\", \"Version\") " +
            "VALUES (@id, @name, @owner, @at, @at, @separate, 1, 1);", "@id", "@name", "@owner", "@at", "@separate");
        command.Set("@id", connection.Id(id));
        command.Set("@name", name);
        command.Set("@owner", ownerId);
        command.Set("@at", connection.Time(at));
        command.Set("@separate", connection.Flag(false));
        await command.ExecuteNonQueryAsync();
        foreach (var (userId, role) in members)
        {
            await using var member = connection.Command(
                "INSERT INTO \"ProjectMembers\" (\"ProjectId\", \"UserId\", \"Role\", \"AddedAt\") VALUES (@p, @u, @r, @at);", "@p", "@u", "@r", "@at");
            member.Set("@p", connection.Id(id));
            member.Set("@u", userId);
            member.Set("@r", role);
            member.Set("@at", connection.Time(at));
            await member.ExecuteNonQueryAsync();
        }

        return id;
    }

    /// <summary>
    /// <paramref name="count"/> builds spread round-robin over <paramref name="projects"/> and over the six phases and
    /// Complete, each with an approved run per earlier phase and a current one, updated a second apart.
    /// </summary>
    public static async Task BuildsAsync(DbConnection connection, IReadOnlyList<Guid> projects, string createdBy, int count, DateTimeOffset start)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var build = connection.Command(
            "INSERT INTO \"Builds\" (\"Id\", \"ProjectId\", \"Title\", \"Requirements\", \"State\", \"Policy\", \"ReworkCap\", \"ReworkCycles\", \"CreatedBy\", " +
            "\"CreatedAt\", \"UpdatedAt\", \"Version\") " +
            "VALUES (@id, @project, @title, 'Seeded for the board benchmark.', @state, 'Manual', 3, 0, @by, @created, @updated, 1);",
            "@id", "@project", "@title", "@state", "@by", "@created", "@updated");
        build.Transaction = transaction;
        build.Set("@by", createdBy);

        await using var run = connection.Command(
            "INSERT INTO \"PhaseRuns\" (\"Id\", \"BuildId\", \"Phase\", \"Role\", \"Attempt\", \"Status\", \"Cost\", \"InputTokens\", \"OutputTokens\", " +
            "\"ExecutionCount\", \"QueuedAt\", \"Version\") VALUES (@id, @build, @phase, @role, 1, @status, '0.0', 0, 0, 1, @queued, 1);",
            "@id", "@build", "@phase", "@role", "@status", "@queued");
        run.Transaction = transaction;

        var phases = Enum.GetValues<Phase>();
        for (var i = 0; i < count; i++)
        {
            var at = start.AddSeconds(i);
            var stage = i % (phases.Length + 1);
            var current = stage < phases.Length ? phases[stage].ToState() : BuildState.Complete;
            var id = connection.Id(Guid.NewGuid());
            build.Set("@id", id);
            build.Set("@project", connection.Id(projects[i % projects.Count]));
            build.Set("@title", $"Seeded build {i}");
            build.Set("@state", current.ToString());
            build.Set("@created", connection.Time(at));
            build.Set("@updated", connection.Time(at.AddMinutes(5)));
            await build.ExecuteNonQueryAsync();

            run.Set("@build", id);
            for (var p = 0; p <= Math.Min(stage, phases.Length - 1); p++)
            {
                run.Set("@id", connection.Id(Guid.NewGuid()));
                run.Set("@phase", phases[p].ToString());
                run.Set("@role", phases[p].Role().ToString());
                run.Set("@status", p < stage ? "Approved" : "AwaitingApproval");
                run.Set("@queued", connection.Time(at.AddSeconds(p)));
                await run.ExecuteNonQueryAsync();
            }
        }

        await transaction.CommitAsync();
    }
}
