using System.Data.Common;
using AiStudio.Core;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.ModelProviders;
using AiStudio.Core.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AiStudio.Benchmarks.Harness;

/// <summary>
/// The real Core (the same registrations as the web app: EF Core on a SQLite file or a fresh PostgreSQL database, Quartz
/// with its persistent store, the audit sealer) in a fresh folder, with every role on the instant model. Logging is kept
/// to warnings, as a production host would be, so the console is not what gets measured.
/// </summary>
public sealed class CoreHost : IAsyncDisposable
{
    private bool _stopped;

    private CoreHost(IHost host, string dataDirectory, DatabaseSettings database)
    {
        Host = host;
        DataDirectory = dataDirectory;
        Database = database;
    }

    public IHost Host { get; }

    public string DataDirectory { get; }

    /// <summary>The provider and connection string the app runs on.</summary>
    public DatabaseSettings Database { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "aistudio.db");

    public static string NewDataDirectory(string name) =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "aistudio-benchmarks", $"{name}-{Guid.NewGuid():N}")).FullName;

    /// <param name="services">Replaces registrations of the app's after they are made.</param>
    /// <param name="provider">PostgreSQL gets a new database on <see cref="PostgresServer"/>, dropped with the host.</param>
    public static async Task<CoreHost> StartAsync(string name, Action<IServiceCollection>? services = null, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var dataDirectory = NewDataDirectory(name);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = dataDirectory,
            EnvironmentName = "Production",
        });
        builder.Configuration.AddInMemoryCollection(Settings(dataDirectory));
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                break;
            case DatabaseProvider.PostgreSql:
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Database:Provider"] = "PostgreSQL",
                    ["ConnectionStrings:AiStudio"] = await PostgresServer.CreateDatabaseAsync(name),
                });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "The benchmarks run on SQLite or PostgreSQL.");
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IChatModelCatalog, InstantModelCatalog>();
        builder.AddAiStudioCore();
        services?.Invoke(builder.Services);
        var database = DatabaseSettings.From(builder.Configuration, dataDirectory);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            await DisposeAsync(host, running: true, dataDirectory, database);
            throw;
        }

        return new CoreHost(host, dataDirectory, database);
    }

    public static Dictionary<string, string?> Settings(string dataDirectory) => new()
    {
        ["Database:DataDirectory"] = dataDirectory,
        ["Models:Default:Provider"] = "Offline",
        ["Models:Offline:ChunkDelayMilliseconds"] = "0",

        // Benchmarks start many builds; the Free plan's monthly limit is not what they measure.
        ["Billing:DefaultPlan"] = "Team",

        // Warnings only, as a production host would log; the console is not what is measured.
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:Quartz"] = "Warning",
    };

    public T Get<T>()
        where T : notnull => Host.Services.GetRequiredService<T>();

    public Task<AiStudioDbContext> CreateDbContextAsync() => Get<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();

    public async Task<Actor> CreateUserAsync(string email, bool isAdmin = false)
    {
        await using var db = await CreateDbContextAsync();
        var user = new ApplicationUser { UserName = email, Email = email, NormalizedUserName = email.ToUpperInvariant(), NormalizedEmail = email.ToUpperInvariant() };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return new Actor(user.Id, email, isAdmin);
    }

    /// <summary>A raw connection to the application's SQLite file for bulk seeding.</summary>
    public async Task<SqliteConnection> OpenRawConnectionAsync()
    {
        if (Database.Provider != DatabaseProvider.Sqlite)
        {
            throw new InvalidOperationException($"This host runs on {Database.Provider}; use OpenConnectionAsync.");
        }

        var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>A raw connection to the application's database, whichever the provider.</summary>
    public async Task<DbConnection> OpenConnectionAsync()
    {
        DbConnection connection = Database.Provider == DatabaseProvider.PostgreSql
            ? new NpgsqlConnection(Database.ConnectionString)
            : new SqliteConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>A raw connection to Quartz's store: jobs.db beside a SQLite database, the app's database itself on PostgreSQL.</summary>
    public async Task<DbConnection> OpenJobStoreConnectionAsync()
    {
        if (Database.Provider != DatabaseProvider.Sqlite)
        {
            return await OpenConnectionAsync();
        }

        var connection = new SqliteConnection(Database.JobStoreConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Stops the app (its background services and Quartz) and leaves its database for the scenario to go on using.</summary>
    public async Task StopAsync()
    {
        await Host.StopAsync();
        _stopped = true;
    }

    public ValueTask DisposeAsync() => DisposeAsync(Host, running: !_stopped, DataDirectory, Database);

    private static async ValueTask DisposeAsync(IHost host, bool running, string dataDirectory, DatabaseSettings database)
    {
        try
        {
            if (running)
            {
                await host.StopAsync();
            }
        }
        finally
        {
            host.Dispose();
            SqliteConnection.ClearAllPools();
            if (database.Provider == DatabaseProvider.PostgreSql)
            {
                await PostgresServer.DropDatabaseAsync(database.ConnectionString);
            }

            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp cleaner.
            }
        }
    }
}
