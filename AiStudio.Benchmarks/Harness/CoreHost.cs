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

namespace AiStudio.Benchmarks.Harness;

/// <summary>
/// The real Core (the same registrations as the web app: EF Core on a SQLite file, Quartz with its persistent
/// store, the audit sealer) in a fresh folder, with every role on the instant model. Logging is kept to warnings,
/// as a production host would be, so the console is not what gets measured.
/// </summary>
public sealed class CoreHost : IAsyncDisposable
{
    private CoreHost(IHost host, string dataDirectory)
    {
        Host = host;
        DataDirectory = dataDirectory;
    }

    public IHost Host { get; }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "aistudio.db");

    public static string NewDataDirectory(string name) =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "aistudio-benchmarks", $"{name}-{Guid.NewGuid():N}")).FullName;

    /// <param name="services">Replaces registrations of the app's after they are made.</param>
    public static async Task<CoreHost> StartAsync(string name, Action<IServiceCollection>? services = null)
    {
        var dataDirectory = NewDataDirectory(name);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = dataDirectory,
            EnvironmentName = "Production",
        });
        builder.Configuration.AddInMemoryCollection(Settings(dataDirectory));
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IChatModelCatalog, InstantModelCatalog>();
        builder.AddAiStudioCore();
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new CoreHost(host, dataDirectory);
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

    /// <summary>A raw connection to the application's database for bulk seeding, opened with the app's pragmas.</summary>
    public async Task<SqliteConnection> OpenRawConnectionAsync()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync();
        }
        finally
        {
            Host.Dispose();
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp cleaner.
            }
        }
    }
}
