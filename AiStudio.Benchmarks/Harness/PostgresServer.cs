using System.Diagnostics;
using Npgsql;

namespace AiStudio.Benchmarks.Harness;

/// <summary>
/// The PostgreSQL server the benchmarks make their databases on, one fresh database per scenario. The server named by
/// <c>AISTUDIO_BENCHMARK_POSTGRES</c> (a connection string for a role that may create databases) when it is set;
/// otherwise a throwaway cluster started with <c>scripts/postgres.sh</c> in a temp folder, durable (fsync on), and stopped
/// by <see cref="StopAsync"/> at the end of the run.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "AISTUDIO_BENCHMARK_POSTGRES";

    /// <summary>Tells a child process where its parent's server came from, for the report.</summary>
    public const string OriginVariable = "AISTUDIO_BENCHMARK_POSTGRES_ORIGIN";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? s_admin;
    private static string? s_clusterDirectory;

    /// <summary>
    /// False where a server must be given (the smoke test gets one from the test script): a missing one is then an error
    /// instead of a cluster started on the side.
    /// </summary>
    public static bool MayStartCluster { get; set; } = true;

    /// <summary>Where the server came from, for the report.</summary>
    public static string Origin =>
        s_clusterDirectory is not null ? "a cluster the benchmark started (scripts/postgres.sh, without --fast)"
        : Environment.GetEnvironmentVariable(OriginVariable) is { Length: > 0 } origin ? origin
        : $"the server in {Variable}";

    /// <summary>A new, empty database owned by the server's role; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        var admin = await AdminConnectionStringAsync(cancellationToken);
        // PostgreSQL keeps 63 bytes of a name: "bench_" + 24 + "_" + 32.
        var label = new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').Take(24)]);
        var database = $"bench_{label}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync(CancellationToken.None));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>What makes the server's commits durable or not, as it reports them: version, fsync, synchronous_commit.</summary>
    public static async Task<(string Version, bool Durable, string Settings)> DescribeAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        async Task<string> Show(string setting)
        {
            await using var command = new NpgsqlCommand($"SHOW {setting}", connection);
            return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        var fsync = await Show("fsync");
        var synchronousCommit = await Show("synchronous_commit");
        var version = (await Show("server_version")).Split(' ')[0];
        return ($"PostgreSQL {version}", fsync == "on" && synchronousCommit != "off", $"fsync={fsync}, synchronous_commit={synchronousCommit}");
    }

    /// <summary>Stops the cluster this process started, if any, and deletes its folder.</summary>
    public static async Task StopAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (s_clusterDirectory is { } directory)
            {
                NpgsqlConnection.ClearAllPools();
                await ScriptAsync("stop", directory, CancellationToken.None);
                Directory.Delete(directory, recursive: true);
                s_clusterDirectory = null;
                s_admin = null;
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The server's connection string for a role that may create databases; starts the cluster on first use if it must.</summary>
    public static async Task<string> AdminConnectionStringAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (s_admin is not null)
            {
                return s_admin;
            }

            if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
            {
                return s_admin = given;
            }

            if (!MayStartCluster)
            {
                throw new InvalidOperationException(
                    $"No PostgreSQL server for the benchmark: set {Variable} to a connection string for a role that may create databases.");
            }

            // A short path: PostgreSQL puts its socket in this folder.
            var directory = Directory.CreateTempSubdirectory("aistudio-bench-pg.").FullName;
            s_admin = await ScriptAsync("start", directory, cancellationToken);
            s_clusterDirectory = directory;
            return s_admin;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Runs scripts/postgres.sh (never with --fast: these figures are about durable commits); returns what it printed.</summary>
    private static async Task<string> ScriptAsync(string command, string directory, CancellationToken cancellationToken)
    {
        var script = Path.Combine(BenchmarkProgram.RepositoryRoot(), "scripts", "postgres.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {script}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {command} {directory} failed ({process.ExitCode}): {(await error).Trim()}");
        }

        return (await output).Trim();
    }
}
