using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiStudio.Benchmarks.Web;

/// <summary>
/// The real web app (its Program, Kestrel on a loopback port, Blazor circuits, Identity) in this process, on its
/// own SQLite folder, with Production settings and warning-level logs, so that its heap can be measured here.
/// </summary>
public sealed class WebApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public WebApp(IDictionary<string, string?>? settings = null)
    {
        DataDirectory = CoreHost.NewDataDirectory("web");
        _settings = CoreHost.Settings(DataDirectory);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    public string DataDirectory { get; }

    public Uri StartAndGetAddress()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/') + "/");
    }

    /// <summary>The account a browser signed up with, as the services know it.</summary>
    public async Task<Actor> ActorAsync(string email)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
        return new Actor(id, email, false);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");

        // Outside Development the app serves its published assets; from the build output it needs the manifest.
        builder.UseStaticWebAssets();
        builder.UseUrls("http://127.0.0.1:0");
        builder.ConfigureLogging(logging => logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning));
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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
