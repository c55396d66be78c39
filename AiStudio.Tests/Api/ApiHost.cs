using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiStudio.Core.ApiTokens;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Api;

/// <summary>
/// One running web app for the API tests, with two users (Alice and Bob), each with an API token.
/// Tests start their own builds, so they do not depend on each other's state.
/// </summary>
public sealed class ApiHost : IAsyncLifetime
{
    private readonly AiStudioWebFactory _factory;

    // xUnit builds class fixtures through their one public constructor.
    public ApiHost()
        : this(null)
    {
    }

    internal ApiHost(IDictionary<string, string?>? settings, Action<IServiceCollection>? services = null) =>
        _factory = new AiStudioWebFactory(settings, services);

    public Uri Address { get; private set; } = null!;
    public Actor Alice { get; private set; } = null!;
    public Actor Bob { get; private set; } = null!;
    public string AliceToken { get; private set; } = "";
    public string BobToken { get; private set; } = "";
    public IServiceProvider Services => _factory.Services;

    /// <summary>The app's data folder (its SQLite files).</summary>
    public string DataDirectory => _factory.DataDirectory;

    public async Task InitializeAsync()
    {
        Address = _factory.StartAndGetAddress();
        Alice = await CreateUserAsync("alice@example.com");
        Bob = await CreateUserAsync("bob@example.com");
        AliceToken = await CreateTokenAsync(Alice, "alice tests");
        BobToken = await CreateTokenAsync(Bob, "bob tests");
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    public async Task<Actor> CreateUserAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, "Passw0rd!-long-enough");
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return new Actor(user.Id, email);
    }

    public async Task<string> CreateTokenAsync(Actor actor, string name) =>
        (await Services.GetRequiredService<IApiTokenService>().CreateAsync(actor, name)).Plaintext;

    /// <summary>A client that sends <paramref name="token"/> as a bearer token (none when null) and never follows redirects.</summary>
    public HttpClient Client(string? token)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Address };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}

internal static class ApiResponses
{
    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string uri)
    {
        using var response = await client.GetAsync(uri);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }
}
