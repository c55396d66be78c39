using Microsoft.AspNetCore.Identity;
using AiStudio.Core.Identity;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AiStudio.Core.ApiTokens;
using AiStudio.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Api;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ApiAuthenticationTests(ApiHost host) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task ListBuilds_NoToken_Returns401ProblemNotARedirect()
    {
        using var client = host.Client(token: null);

        using var response = await client.GetAsync("api/builds");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task StartBuild_NoToken_Returns401AndStartsNothing()
    {
        using var client = host.Client(token: null);

        using var response = await client.PostAsJsonAsync("api/builds", new { projectName = "X", title = "Y", requirements = "Long enough requirements for a build." });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("Bearer garbage")]
    [InlineData("Bearer ast_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Basic YWxpY2U6cGFzc3dvcmQ=")]
    [InlineData("Bearer")]
    public async Task ListBuilds_MalformedOrUnknownToken_Returns401(string header)
    {
        using var client = host.Client(token: null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);

        using var response = await client.GetAsync("api/builds");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ListBuilds_RevokedToken_Returns401()
    {
        var tokens = host.Services.GetRequiredService<IApiTokenService>();
        var created = await tokens.CreateAsync(host.Alice, "to be revoked");
        using var client = host.Client(created.Plaintext);
        using var before = await client.GetAsync("api/builds");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await tokens.RevokeAsync(host.Alice, created.Token.Id);
        using var after = await client.GetAsync("api/builds");

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", (await after.JsonAsync())["detail"]!.ToString());
    }

    [Fact]
    public async Task ListBuilds_TokenOfALockedAccount_Returns401UntilUnlocked()
    {
        var carol = await host.CreateUserAsync("carol-locked@example.com");
        using var client = host.Client(await host.CreateTokenAsync(carol, "carol"));
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByIdAsync(carol.UserId))!;

        await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1));
        using var locked = await client.GetAsync("api/builds");
        await users.SetLockoutEndDateAsync(user, null);
        using var unlocked = await client.GetAsync("api/builds");

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("locked", (await locked.JsonAsync())["detail"]!.ToString());
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
    }

    [Fact]
    public async Task ListBuilds_ValidToken_RecordsLastUse()
    {
        var tokens = host.Services.GetRequiredService<IApiTokenService>();
        var created = await tokens.CreateAsync(host.Bob, "last use");
        using var client = host.Client(created.Plaintext);

        using var response = await client.GetAsync("api/builds");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await tokens.ListAsync(host.Bob)).Single(t => t.Id == created.Token.Id).LastUsedAt);
    }

    [Fact]
    public async Task ListBuilds_TokenInLowercaseScheme_IsAccepted()
    {
        using var client = host.Client(token: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", host.AliceToken);

        using var response = await client.GetAsync("api/builds");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ApiTokensPage_Anonymous_RedirectsToLogin()
    {
        using var client = host.Client(token: null);

        using var response = await client.GetAsync("account/api-tokens");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task ApiTokensPage_BearerTokenOnly_DoesNotSignInToTheApp()
    {
        using var client = host.Client(host.AliceToken);

        using var response = await client.GetAsync("account/api-tokens");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_Anonymous_ListsTheEndpointsAndTheBearerScheme()
    {
        using var client = host.Client(token: null);

        var document = await client.GetJsonAsync("openapi/v1.json");

        var paths = document["paths"]!.AsObject();
        Assert.Equal(
            ["/api/builds", "/api/builds/{id}", "/api/builds/{id}/cancel", "/api/builds/{id}/pause", "/api/builds/{id}/prompt",
             "/api/builds/{id}/resume", "/api/builds/{id}/retry", "/api/builds/{id}/verdicts"],
            paths.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("StartBuild", (string?)paths["/api/builds"]!["post"]!["operationId"]);
        Assert.Equal("DecideBuildPhase", (string?)paths["/api/builds/{id}/verdicts"]!["post"]!["operationId"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)paths["/api/builds/{id}/prompt"]!["get"]!["summary"]));
        var scheme = document["components"]!["securitySchemes"]!["ApiToken"]!;
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);
        Assert.NotNull(document["security"]![0]!["ApiToken"]);
    }
}
