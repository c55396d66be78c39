using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AiStudio.Core.Persistence;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace AiStudio.Tests.Support;

/// <summary>
/// The database the tests' hosts run on. SQLite files in each host's data folder by default. With
/// <c>AISTUDIO_TEST_DATABASE=PostgreSQL</c>, each data folder gets a database of its own on the server that
/// <c>AISTUDIO_TEST_POSTGRES</c> names (a connection string for a role that may create databases): copied from a
/// template that one real host migrated and seeded once per test process, which is far faster than migrating each.
/// </summary>
/// <remarks>
/// Suites that run on every provider carry <c>[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]</c>; test.sh runs
/// them a second time on PostgreSQL with <c>--filter Database=EveryProvider</c>.
/// </remarks>
public static class TestDatabase
{
    public const string Trait = "Database";
    public const string EveryProvider = "EveryProvider";
    public const string ProviderVariable = "AISTUDIO_TEST_DATABASE";
    public const string ServerVariable = "AISTUDIO_TEST_POSTGRES";

    private const string DatabasePrefix = "aistudio_test_";

    // CREATE DATABASE refuses to copy a template that another CREATE DATABASE is copying at the same moment.
    private static readonly Lock Creating = new();
    private static readonly Lazy<string> Template = new(CreateTemplate, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly ConcurrentDictionary<string, bool> Created = new();

    public static DatabaseProvider Provider { get; } = ReadProvider();

    public static bool IsPostgreSql => Provider == DatabaseProvider.PostgreSql;

    /// <summary>
    /// The settings that put a host on this folder's database: none for SQLite (its file lives in the folder); on
    /// PostgreSQL the folder's own database, created from the template when it does not exist yet, so a host started
    /// again on the same folder finds the data the first one left.
    /// </summary>
    /// <exception cref="InvalidOperationException">PostgreSQL was asked for and its server cannot be reached.</exception>
    public static IReadOnlyDictionary<string, string?> SettingsFor(string dataDirectory)
    {
        if (!IsPostgreSql)
        {
            return new Dictionary<string, string?>();
        }

        var name = NameFor(dataDirectory);
        EnsureCreated(name);
        return PostgreSqlSettings(ConnectionString(name));
    }

    /// <summary>The folder's database as the app sees it (provider and connection strings), outside any host.</summary>
    public static DatabaseSettings DatabaseSettingsFor(string dataDirectory) => DatabaseSettings.From(
        new ConfigurationBuilder()
            .AddInMemoryCollection(SettingsFor(dataDirectory))
            .AddInMemoryCollection([new("Database:DataDirectory", dataDirectory)])
            .Build(),
        dataDirectory);

    /// <summary>A context on the folder's database outside any host, for reading what a stopped or killed app left behind.</summary>
    public static AiStudioDbContext OpenContext(string dataDirectory) =>
        IsPostgreSql
            ? DesignTimeContexts.PostgreSql(ConnectionString(NameFor(dataDirectory)))
            : DesignTimeContexts.Sqlite($"Data Source={Path.Combine(dataDirectory, "aistudio.db")}");

    /// <summary>Drops the folder's PostgreSQL database, if this process created it; the folder itself is the caller's.</summary>
    public static void Drop(string dataDirectory)
    {
        var name = NameFor(dataDirectory);
        if (!IsPostgreSql || !Created.TryRemove(name, out _))
        {
            return;
        }

        ClearPool(ConnectionString(name));
        lock (Creating)
        {
            using var admin = OpenAdmin();
            try
            {
                Execute(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // FORCE may signal only the role's own sessions: an autovacuum worker busy in the database (likelier on a
                // loaded machine) refuses it. A plain DROP asks autovacuum to leave by itself and waits for it.
                Execute(admin, $"DROP DATABASE IF EXISTS \"{name}\"");
            }
        }
    }

    /// <summary>
    /// A database with nothing in it, not even migrations: a new SQLite file in <paramref name="dataDirectory"/>, or a
    /// new PostgreSQL database copied from template0. Dropped by <see cref="Drop"/> as the folder's own database is.
    /// </summary>
    public static AiStudioDbContext CreateEmpty(string dataDirectory)
    {
        if (!IsPostgreSql)
        {
            return DesignTimeContexts.Sqlite($"Data Source={Path.Combine(dataDirectory, "empty.db")}");
        }

        var name = NameFor(dataDirectory);
        lock (Creating)
        {
            using var admin = OpenAdmin();
            Execute(admin, $"CREATE DATABASE \"{name}\" TEMPLATE template0");
            Created[name] = true;
        }

        return DesignTimeContexts.PostgreSql(ConnectionString(name));
    }

    private static DatabaseProvider ReadProvider()
    {
        var value = Environment.GetEnvironmentVariable(ProviderVariable);
        if (string.IsNullOrWhiteSpace(value) || value.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return DatabaseProvider.Sqlite;
        }

        if (value.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            return DatabaseProvider.PostgreSql;
        }

        throw new InvalidOperationException($"{ProviderVariable} is '{value}'; use 'PostgreSQL', 'Sqlite' or leave it unset (SQLite).");
    }

    // The folder's full path decides the name: a host restarted on the same folder gets the same database.
    private static string NameFor(string dataDirectory)
    {
        var path = Path.GetFullPath(dataDirectory).TrimEnd(Path.DirectorySeparatorChar);
        return DatabasePrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..24];
    }

    private static Dictionary<string, string?> PostgreSqlSettings(string connectionString) => new()
    {
        ["Database:Provider"] = "PostgreSQL",
        ["ConnectionStrings:AiStudio"] = connectionString,
    };

    private static void EnsureCreated(string name)
    {
        var template = Template.Value;
        if (Created.ContainsKey(name))
        {
            return;
        }

        lock (Creating)
        {
            using var admin = OpenAdmin();
            if (!Exists(admin, name))
            {
                Execute(admin, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
            }

            Created[name] = true;
        }
    }

    /// <summary>
    /// Starts the real Core host once on a new database (migrations, seeded prompts, Quartz's tables), stops it, and
    /// closes its connections: PostgreSQL copies a template only while nobody is connected to it.
    /// </summary>
    private static string CreateTemplate()
    {
        var name = $"aistudio_template_{Guid.NewGuid():N}";
        lock (Creating)
        {
            using var admin = OpenAdmin();
            Execute(admin, $"CREATE DATABASE \"{name}\"");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => DropQuietly(name);
        var folder = TestAppHost.NewDataDirectory();
        var connectionString = ConnectionString(name);
        try
        {
            // Off the test's synchronization context: callers wait for it synchronously.
            Task.Run(async () =>
            {
                var host = await TestAppHost.StartWithoutTestDatabaseAsync(folder, PostgreSqlSettings(connectionString));
                await host.DisposeAsync();
            }).GetAwaiter().GetResult();
        }
        finally
        {
            ClearPool(connectionString);
            TestAppHost.TryDelete(folder);
        }

        return name;
    }

    private static NpgsqlConnection OpenAdmin()
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{ProviderVariable}=PostgreSQL, but {ServerVariable} is not set. Start a server with `scripts/postgres.sh start DIR --fast` " +
                $"and export {ServerVariable}=<the connection string it prints>.");
        }

        var builder = new NpgsqlConnectionStringBuilder(server);
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            connection.Dispose();
            throw new InvalidOperationException(
                $"{ProviderVariable}=PostgreSQL, but the PostgreSQL server in {ServerVariable} (host {builder.Host}, port {builder.Port}, " +
                $"user {builder.Username}) cannot be reached: {e.Message}. Start one with `scripts/postgres.sh start DIR --fast`.", e);
        }
    }

    private static string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable(ServerVariable)) { Database = database }.ConnectionString;

    private static bool Exists(NpgsqlConnection admin, string name)
    {
        using var command = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
        command.Parameters.AddWithValue("name", name);
        return command.ExecuteScalar() is not null;
    }

    private static void Execute(NpgsqlConnection admin, string sql)
    {
        using var command = new NpgsqlCommand(sql, admin);
        command.ExecuteNonQuery();
    }

    private static void ClearPool(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    private static void DropQuietly(string name)
    {
        try
        {
            using var admin = OpenAdmin();
            Execute(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
        catch (Exception e) when (e is InvalidOperationException or NpgsqlException)
        {
            // The server went first (test.sh stops it at the end): a throwaway cluster takes the template with it.
        }
    }
}
