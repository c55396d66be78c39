using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using AiStudio.Tests.Accounts;

namespace AiStudio.Tests.Security;

/// <summary>
/// The app as deployed: Production, reached over HTTPS by a host name. In memory (TestServer): the request's scheme
/// is what the client asked for, so the app sees HTTPS without a certificate.
/// </summary>
public sealed class HttpsAppFactory : WebApplicationFactory<Program>
{
    public static readonly Uri Address = new("https://aistudio.test/");

    private readonly string _dataDirectory = TestAppHost.NewDataDirectory();

    /// <summary>A client with its own cookies that reaches this app over HTTPS.</summary>
    public AccountClient NewClient() => new(Address, cookies => new CookieContainerHandler(cookies) { InnerHandler = Server.CreateHandler() });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in TestAppHost.DefaultSettings(_dataDirectory))
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TestAppHost.TryDelete(_dataDirectory);
    }
}
