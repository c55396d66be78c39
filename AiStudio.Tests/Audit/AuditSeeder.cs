using System.Data.Common;
using System.Globalization;
using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Audit;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Audit;

/// <summary>
/// Inserts many synthetic audit events, already sealed and chained after the current head, with prepared
/// raw inserts in large transactions (far faster than EF for a million rows), then moves the head.
/// SQLite or PostgreSQL, on a quiet database: nothing else may seal while it runs.
/// </summary>
public static class AuditSeeder
{
    public static readonly Guid[] Projects = [.. Enumerable.Range(1, 3).Select(i => new Guid($"00000000-0000-0000-0000-0000000000a{i}"))];
    public static readonly Guid[] Builds = [.. Enumerable.Range(0, 10).Select(i => new Guid($"00000000-0000-0000-0000-0000000000b{i}"))];
    public static readonly string[] Actions =
        [AuditActions.BuildStarted, AuditActions.RunStarted, AuditActions.RunCompleted, AuditActions.PhaseApproved, AuditActions.PhaseRejected, AuditActions.SignedIn];

    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Action<AuditEvent, long> SetId =
        typeof(AuditEvent).GetProperty(nameof(AuditEvent.Id))!.SetMethod!.CreateDelegate<Action<AuditEvent, long>>();

    private static readonly string[] Columns =
    [
        "Id", "OccurredAt", "ActorId", "ActorName", "Action", "EntityType", "EntityId", "ProjectId", "BuildId", "Before", "After", "Detail",
        "PromptVersion", "ModelId", "InputTokens", "OutputTokens", "Cost", "Sequence", "PreviousHash", "Hash",
    ];

    /// <summary>The default synthetic event number <paramref name="i"/> (0-based): one second apart, five actors, three projects, ten builds.</summary>
    public static AuditEvent Synthetic(long i)
    {
        var action = Actions[i % Actions.Length];
        var run = action is AuditActions.RunCompleted;
        return AuditEvent.Create(
            Start.AddSeconds(i), $"user-{i % 5}", $"Person {i % 5}", action, run ? "PhaseRun" : "Build", $"entity-{i}",
            Projects[i % Projects.Length], Builds[i % Builds.Length], before: "Discovery", after: "Planning", detail: $"Synthetic event {i}",
            promptVersion: run ? 1 : null, modelId: run ? "aistudio-offline-1" : null, inputTokens: run ? 120 : null, outputTokens: run ? 340 : null,
            cost: run ? 0.0123m : null);
    }

    /// <summary>Inserts <paramref name="count"/> sealed events; returns the id of the first.</summary>
    public static async Task<long> SeedSealedAsync(AiStudioDbContext db, int count, Func<long, AuditEvent>? create = null, int batchSize = 20_000, CancellationToken cancellationToken = default)
    {
        var postgreSql = db.Database.IsNpgsql();
        if (!postgreSql && !db.Database.IsSqlite())
        {
            throw new NotSupportedException("The seeder writes SQLite's and PostgreSQL's formats (explicit ids, and times, guids and decimals as each stores them).");
        }

        create ??= Synthetic;
        var head = await db.Set<AuditChainHead>().AsNoTracking().SingleAsync(cancellationToken);
        var firstId = (await db.AuditEvents.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0) + 1;
        var sequence = head.LastSequence;
        var previous = head.LastHash;

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            for (var done = 0; done < count;)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO \"AuditEvents\" ({string.Join(", ", Columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", Columns.Select(c => "@" + c))})";
                var parameters = Columns.ToDictionary(c => c, c => AddParameter(insert, "@" + c));
                if (!postgreSql)
                {
                    // Npgsql prepares only with the parameters' types known, and these are set row by row.
                    insert.Prepare();
                }

                var end = Math.Min(count, done + batchSize);
                for (; done < end; done++)
                {
                    var e = create(done);
                    SetId(e, firstId + done);
                    e.Seal(++sequence, previous);
                    previous = e.Hash!;
                    Bind(connection, parameters, e);
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }

                await using var moveHead = connection.CreateCommand();
                moveHead.Transaction = transaction;
                moveHead.CommandText = "UPDATE \"AuditChainHead\" SET \"LastSequence\" = @sequence, \"LastHash\" = @hash WHERE \"Id\" = @id";
                AddParameter(moveHead, "@sequence").Value = sequence;
                AddParameter(moveHead, "@hash").Value = previous;
                AddParameter(moveHead, "@id").Value = AuditChainHead.SingletonId;
                await moveHead.ExecuteNonQueryAsync(cancellationToken);

                if (postgreSql)
                {
                    // Explicit ids leave PostgreSQL's identity sequence behind; the app's next event must come after them.
                    await using var identity = connection.CreateCommand();
                    identity.Transaction = transaction;
                    identity.CommandText = "SELECT setval(pg_get_serial_sequence('\"AuditEvents\"', 'Id'), @last)";
                    AddParameter(identity, "@last").Value = firstId + done - 1;
                    await identity.ExecuteScalarAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return firstId;
    }

    private static DbParameter AddParameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    // The formats EF Core's providers write (see the benchmarks' Sql): times and guids as each provider stores them, and
    // decimals as TEXT on SQLite, numeric on PostgreSQL.
    private static void Bind(DbConnection connection, Dictionary<string, DbParameter> p, AuditEvent e)
    {
        p["OccurredAt"].Value = connection.Time(e.OccurredAt);
        p["ProjectId"].Value = e.ProjectId is { } projectId ? connection.Id(projectId) : DBNull.Value;
        p["BuildId"].Value = e.BuildId is { } buildId ? connection.Id(buildId) : DBNull.Value;
        p["Cost"].Value = e.Cost is not { } cost ? DBNull.Value
            : connection.IsPostgreSql() ? cost
            : cost.ToString("0.0###########################", CultureInfo.InvariantCulture);
        p["Id"].Value = e.Id;
        p["ActorId"].Value = e.ActorId;
        p["ActorName"].Value = e.ActorName;
        p["Action"].Value = e.Action;
        p["EntityType"].Value = e.EntityType;
        p["EntityId"].Value = e.EntityId;
        p["Before"].Value = (object?)e.Before ?? DBNull.Value;
        p["After"].Value = (object?)e.After ?? DBNull.Value;
        p["Detail"].Value = (object?)e.Detail ?? DBNull.Value;
        p["PromptVersion"].Value = (object?)e.PromptVersion ?? DBNull.Value;
        p["ModelId"].Value = (object?)e.ModelId ?? DBNull.Value;
        p["InputTokens"].Value = (object?)e.InputTokens ?? DBNull.Value;
        p["OutputTokens"].Value = (object?)e.OutputTokens ?? DBNull.Value;
        p["Sequence"].Value = e.Sequence!.Value;
        p["PreviousHash"].Value = e.PreviousHash!;
        p["Hash"].Value = e.Hash!;
    }
}
