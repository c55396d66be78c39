using System.Data.Common;
using AiStudio.Core.Persistence;
using Npgsql;

namespace AiStudio.Benchmarks.Harness;

/// <summary>
/// Plain ADO.NET on either provider's connection: the same SQL text (quoted identifiers, <c>@name</c> parameters) runs on
/// SQLite and PostgreSQL, and values are bound as EF Core stores them on each (SQLite: Guids as upper-case text, times as
/// UTC ticks, booleans as 0/1; PostgreSQL: uuid, timestamptz in UTC, boolean).
/// </summary>
internal static class Sql
{
    public static bool IsPostgreSql(this DbConnection connection) => connection is NpgsqlConnection;

    public static object Id(this DbConnection connection, Guid id) =>
        connection.IsPostgreSql() ? id : id.ToString("D").ToUpperInvariant();

    public static object Time(this DbConnection connection, DateTimeOffset at) =>
        connection.IsPostgreSql() ? TimestampPrecision.ToWholeMicroseconds(at).ToUniversalTime() : at.UtcTicks;

    public static object Flag(this DbConnection connection, bool value) =>
        connection.IsPostgreSql() ? value : value ? 1 : 0;

    public static object OrNull(object? value) => value ?? DBNull.Value;

    /// <summary>A command with its parameters named and empty; set <c>Parameters["@name"].Value</c> before each execution.</summary>
    public static DbCommand Command(this DbConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        foreach (var name in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static void Set(this DbCommand command, string name, object? value) => command.Parameters[name].Value = value ?? DBNull.Value;

    public static async Task ExecuteAsync(this DbConnection connection, string sql, CancellationToken cancellationToken = default)
    {
        await using var command = connection.Command(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>
/// Statements that go to the database together: on PostgreSQL one round trip (a <see cref="NpgsqlBatch"/>, as EF Core sends
/// a SaveChanges), on SQLite one after another (in-process, there is no round trip to save). Parameters are <c>@p0</c>,
/// <c>@p1</c>… in the order of the values given.
/// </summary>
internal sealed class Round(DbConnection connection, DbTransaction? transaction = null, RoundCounter? counter = null)
{
    private readonly List<(string Sql, object?[] Values, int? Expected)> _statements = [];

    public int Count => _statements.Count;

    public Round Add(string sql, params object?[] values)
    {
        _statements.Add((sql, values, null));
        return this;
    }

    /// <summary>A write whose row count is checked, as EF Core checks a concurrency token: anything else is a bug in the floor.</summary>
    public Round AddExpecting(int rows, string sql, params object?[] values)
    {
        _statements.Add((sql, values, rows));
        return this;
    }

    /// <summary>Runs the statements; returns each one's rows (empty for a write without RETURNING).</summary>
    public async Task<IReadOnlyList<List<object[]>>> RunAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<List<object[]>>(_statements.Count);
        if (_statements.Count == 0)
        {
            return results;
        }

        counter?.Ran(_statements.Count);

        if (connection is NpgsqlConnection npgsql)
        {
            await using var batch = new NpgsqlBatch(npgsql, (NpgsqlTransaction?)transaction);
            foreach (var (sql, values, _) in _statements)
            {
                var command = new NpgsqlBatchCommand(sql);
                for (var i = 0; i < values.Length; i++)
                {
                    command.Parameters.Add(new NpgsqlParameter($"p{i}", values[i] ?? DBNull.Value));
                }

                batch.BatchCommands.Add(command);
            }

            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                // Npgsql gives a result set only to the statements that return rows.
                var first = true;
                foreach (var (sql, _, _) in _statements)
                {
                    if (!ReturnsRows(sql))
                    {
                        results.Add([]);
                        continue;
                    }

                    if (!first && !await reader.NextResultAsync(cancellationToken))
                    {
                        throw new InvalidOperationException($"No result set came back for \"{sql}\".");
                    }

                    first = false;
                    results.Add(await ReadAllAsync(reader, cancellationToken));
                }
            }

            for (var i = 0; i < _statements.Count; i++)
            {
                Check(_statements[i], batch.BatchCommands[i].RecordsAffected);
            }

            return results;
        }

        foreach (var statement in _statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement.Sql;
            for (var i = 0; i < statement.Values.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{i}";
                parameter.Value = statement.Values[i] ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            results.Add(await ReadAllAsync(reader, cancellationToken));
            await reader.CloseAsync();
            Check(statement, reader.RecordsAffected);
        }

        return results;
    }

    private static bool ReturnsRows(string sql) =>
        sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || sql.Contains("RETURNING", StringComparison.OrdinalIgnoreCase);

    private static async Task<List<object[]>> ReadAllAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var rows = new List<object[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    private static void Check((string Sql, object?[] Values, int? Expected) statement, int affected)
    {
        if (statement.Expected is { } expected && affected != expected)
        {
            throw new InvalidOperationException($"The floor expected {expected} row(s) from \"{statement.Sql}\" and got {affected}.");
        }
    }
}

/// <summary>How many statements and rounds (round trips on PostgreSQL) went to the database.</summary>
internal sealed class RoundCounter
{
    private long _statements;
    private long _rounds;

    public long Statements => Interlocked.Read(ref _statements);

    public long Rounds => Interlocked.Read(ref _rounds);

    public void Ran(int statements)
    {
        Interlocked.Add(ref _statements, statements);
        Interlocked.Increment(ref _rounds);
    }
}
