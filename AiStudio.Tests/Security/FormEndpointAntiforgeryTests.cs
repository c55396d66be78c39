using System.Net;
using AiStudio.Tests.Accounts;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Security;

/// <summary>
/// Every endpoint mapped outside the Razor pages that takes a POST with the person's cookie refuses one without the
/// antiforgery token, whatever it binds. The JSON API (a bearer token, which no other site can send) and Stripe's
/// webhook (its signature) are the only posts without the check.
/// </summary>
public sealed class FormEndpointAntiforgeryTests(AccountHost host) : IClassFixture<AccountHost>
{
    [Fact]
    public async Task CookiePosts_EveryMappedEndpointWithoutToken_Refused()
    {
        var posts = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is null)
            .Select(e => (Path: "/" + e.RoutePattern.RawText!.TrimStart('/'), Endpoint: e))
            .Where(p => !p.Path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase) && !p.Path.StartsWith("/_blazor", StringComparison.Ordinal))
            .ToList();
        var withoutCheck = posts.Where(p => p.Endpoint.Metadata.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: false }).Select(p => p.Path);
        Assert.Equal(["/billing/webhook"], withoutCheck);

        var email = $"forms-{Guid.NewGuid():N}@security.test";
        await host.CreateUserAsync(email);
        using var client = host.NewClient();
        Assert.True((await client.LogInAsync(email, AccountHost.Password)).RedirectsTo("/"));

        var cookiePosts = posts.Where(p => p.Path != "/billing/webhook").Select(p => p.Path).ToList();
        Assert.Contains("/Account/Manage/DownloadPersonalData", cookiePosts);
        foreach (var path in cookiePosts)
        {
            var result = await client.PostFormAsync(path.TrimStart('/'), new Dictionary<string, string>
            {
                ["provider"] = "Nobody",
                ["returnUrl"] = "/",
            });

            Assert.True(result.Status == HttpStatusCode.BadRequest, $"POST {path} without a token answered {(int)result.Status}.");
            Assert.DoesNotContain(email, result.Html);
        }

        var (status, _) = await client.GetAsync("account/api-tokens");
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
