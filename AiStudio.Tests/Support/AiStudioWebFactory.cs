using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Support;

/// <summary>
/// The real web app (Program.cs) on Kestrel at a free loopback port, with its own data folder and database.
/// Settings go in through UseSetting so that Program's own reads of configuration already see them.
/// </summary>
public sealed class AiStudioWebFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">Test doubles added after the app's own registrations (for example a fault interceptor).</param>
    public AiStudioWebFactory(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        DataDirectory = TestAppHost.NewDataDirectory();
        _settings = TestAppHost.DefaultSettings(DataDirectory);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    public string DataDirectory { get; }

    /// <summary>Starts Kestrel and returns the root address, e.g. http://127.0.0.1:43215/.</summary>
    public Uri StartAndGetAddress()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/') + "/");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseUrls("http://127.0.0.1:0");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TestAppHost.TryDelete(DataDirectory);
    }
}
