using AiStudio.Core;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiStudio.Tests.Support;

/// <summary>
/// A real Core host (the same registrations the web app uses) on a fresh database of its own temp folder (a SQLite
/// file there, or the folder's PostgreSQL database: see <see cref="TestDatabase"/>): migrations applied, prompts
/// seeded, Quartz's persistent store running. Start it again on the same folder with
/// <see cref="StartAsync(string, IDictionary{string, string?}?)"/> to simulate a restart.
/// </summary>
public sealed class TestAppHost : IAsyncDisposable
{
    private readonly bool _ownsFolder;

    private TestAppHost(IHost host, string dataDirectory, bool ownsFolder)
    {
        Host = host;
        DataDirectory = dataDirectory;
        _ownsFolder = ownsFolder;
    }

    public IHost Host { get; }
    public string DataDirectory { get; }
    public IServiceProvider Services => Host.Services;

    public static string NewDataDirectory() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "aistudio-tests", Guid.NewGuid().ToString("N"))).FullName;

    public static Task<TestAppHost> StartAsync(IDictionary<string, string?>? settings = null) =>
        StartAsync(NewDataDirectory(), settings, ownsFolder: true);

    public static Task<TestAppHost> StartAsync(string dataDirectory, IDictionary<string, string?>? settings) =>
        StartAsync(dataDirectory, settings, ownsFolder: false);

    /// <summary>A fresh folder, with test doubles put in place of registered services (for example the scheduler).</summary>
    public static Task<TestAppHost> StartAsync(IDictionary<string, string?>? settings, Action<IServiceCollection> replaceServices) =>
        StartAsync(NewDataDirectory(), settings, ownsFolder: true, replaceServices);

    /// <summary>Again on an existing folder, with test doubles put in place of registered services.</summary>
    public static Task<TestAppHost> StartAsync(string dataDirectory, IDictionary<string, string?>? settings, Action<IServiceCollection> replaceServices) =>
        StartAsync(dataDirectory, settings, ownsFolder: false, replaceServices);

    /// <summary>A host on the database that <paramref name="settings"/> name, for <see cref="TestDatabase"/>'s template.</summary>
    internal static Task<TestAppHost> StartWithoutTestDatabaseAsync(string dataDirectory, IDictionary<string, string?> settings) =>
        StartAsync(dataDirectory, SettingsWithoutDatabase(dataDirectory), settings, ownsFolder: false, replaceServices: null);

    private static Task<TestAppHost> StartAsync(
        string dataDirectory, IDictionary<string, string?>? settings, bool ownsFolder, Action<IServiceCollection>? replaceServices = null) =>
        StartAsync(dataDirectory, DefaultSettings(dataDirectory), settings, ownsFolder, replaceServices);

    private static async Task<TestAppHost> StartAsync(
        string dataDirectory, IDictionary<string, string?> defaults, IDictionary<string, string?>? settings, bool ownsFolder,
        Action<IServiceCollection>? replaceServices)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = dataDirectory,
            EnvironmentName = "Testing",
        });
        builder.Configuration.AddInMemoryCollection(defaults);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddAiStudioCore();
        replaceServices?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new TestAppHost(host, dataDirectory, ownsFolder);
    }

    /// <summary>
    /// What every test host starts with: the offline model, generous limits, and the data folder's database (on
    /// PostgreSQL, created when missing, see <see cref="TestDatabase.SettingsFor"/>).
    /// </summary>
    public static Dictionary<string, string?> DefaultSettings(string dataDirectory)
    {
        var settings = SettingsWithoutDatabase(dataDirectory);
        foreach (var (key, value) in TestDatabase.SettingsFor(dataDirectory))
        {
            settings[key] = value;
        }

        return settings;
    }

    private static Dictionary<string, string?> SettingsWithoutDatabase(string dataDirectory) => new()
    {
        ["Database:DataDirectory"] = dataDirectory,
        ["Models:Default:Provider"] = "Offline",
        ["Models:Offline:ChunkDelayMilliseconds"] = "0",

        // Tests that are not about billing must not run into the Free plan's monthly build limit.
        ["Billing:DefaultPlan"] = "Team",

        // Every test signs up and logs in from 127.0.0.1: the limits stay on, but far above what a test run sends.
        ["RateLimits:SignIn:PermitLimit"] = "100000",
        ["RateLimits:SignUp:PermitLimit"] = "100000",
        ["RateLimits:Api:PermitLimit"] = "100000",
        ["RateLimits:Webhook:PermitLimit"] = "100000",
    };

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async Task<AiStudioDbContext> CreateDbContextAsync() =>
        await Get<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();

    /// <summary>Adds a user row (project membership has a foreign key to it) and returns them as an actor.</summary>
    public async Task<Actor> CreateUserAsync(string email, bool isAdmin = false)
    {
        await using var db = await CreateDbContextAsync();
        var user = new ApplicationUser { UserName = email, Email = email, NormalizedUserName = email.ToUpperInvariant(), NormalizedEmail = email.ToUpperInvariant() };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return new Actor(user.Id, email, isAdmin);
    }

    public async Task StopAsync() => await Host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync();
        }
        finally
        {
            Host.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (_ownsFolder)
            {
                TryDelete(DataDirectory);
            }
        }
    }

    /// <summary>Throws away a data folder and its database (the SQLite file in it, or its PostgreSQL database).</summary>
    public static void TryDelete(string directory)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestDatabase.Drop(directory);
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine is left for the OS temp cleaner rather than failing the test.
        }
    }
}
