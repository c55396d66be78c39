using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiStudio.Core.ApiTokens;
using AiStudio.Tests.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using AiStudio.Core.Identity;

namespace AiStudio.Tests.Security;

/// <summary>The app with every limit at three requests per ten minutes.</summary>
public sealed class RateLimitedHost : AccountHost
{
    public const int Limit = 3;

    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        foreach (var rule in new[] { "SignIn", "SignUp", "AccountEmail", "Api", "Webhook" })
        {
            settings[$"RateLimits:{rule}:PermitLimit"] = Limit.ToString();
            settings[$"RateLimits:{rule}:WindowSeconds"] = "600";
        }

        return settings;
    }
}

/// <summary>
/// Past its limit, each door answers 429 with Retry-After and a plain message (a page for forms, a problem for the
/// API), does nothing else, and leaves the other doors and other callers alone.
/// </summary>
public sealed class RateLimitTests(RateLimitedHost host) : IClassFixture<RateLimitedHost>
{
    [Fact]
    public async Task LogInForm_PostedPastTheLimit_429PageAndNotSignedIn()
    {
        await host.CreateUserAsync("limited-login@security.test");
        using var client = host.NewClient();
        for (var i = 0; i < RateLimitedHost.Limit; i++)
        {
            var wrong = await client.LogInAsync("limited-login@security.test", "not-the-password");
            Assert.Equal(HttpStatusCode.OK, wrong.Status);
            Assert.Contains("Invalid login attempt", wrong.Html);
        }

        // Even the right password is turned away now, before it is checked.
        var blocked = await client.LogInAsync("limited-login@security.test", AccountHost.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.Status);
        Assert.Contains("Too many attempts", blocked.Html);
        Assert.False(client.HasIdentityCookie);
        Assert.Equal(RateLimitedHost.Limit, (await host.FindUserAsync("limited-login@security.test")).AccessFailedCount);

        using var raw = await PostFormAsync("Account/Login");
        Assert.Equal(HttpStatusCode.TooManyRequests, raw.StatusCode);
        AssertRetryAfter(raw);
        Assert.Equal("text/html", raw.Content.Headers.ContentType?.MediaType);

        // Reading the page is not limited, only posting it.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("Account/Login")).Status);
    }

    [Fact]
    public async Task RegisterForm_PostedPastTheLimit_429AndNoAccountMade()
    {
        using var client = host.NewClient();
        for (var i = 0; i < RateLimitedHost.Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await client.RegisterAsync($"limited-signup-{i}@security.test", AccountHost.Password)).Status);
        }

        var blocked = await client.RegisterAsync("limited-signup-last@security.test", AccountHost.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.Status);
        Assert.Contains("Try again in", blocked.Html);
        await using var scope = host.Services.CreateAsyncScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync("limited-signup-last@security.test"));
        using var raw = await PostFormAsync("Account/Register");
        AssertRetryAfter(raw);
    }

    [Fact]
    public async Task Api_CalledPastTheLimitWithOneToken_429ProblemForThatTokenOnly()
    {
        var user = await host.CreateUserAsync("limited-api@security.test");
        var tokens = host.Get<IApiTokenService>();
        var busy = (await tokens.CreateAsync(user, "busy script")).Plaintext;
        var quiet = (await tokens.CreateAsync(user, "quiet script")).Plaintext;

        for (var i = 0; i < RateLimitedHost.Limit; i++)
        {
            using var ok = await GetApiAsync(busy);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var blocked = await GetApiAsync(busy);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        AssertRetryAfter(blocked);
        Assert.Equal("application/problem+json", blocked.Content.Headers.ContentType?.MediaType);
        var problem = await blocked.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(429, (int)problem!["status"]!);
        Assert.StartsWith("Too many requests. Try again in", (string)problem["detail"]!);

        using var other = await GetApiAsync(quiet);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Webhook_PostedPastTheLimit_429()
    {
        using var http = new HttpClient { BaseAddress = host.Address };
        for (var i = 0; i < RateLimitedHost.Limit; i++)
        {
            using var unsigned = await http.PostAsync("billing/webhook", new StringContent("{}"));
            Assert.NotEqual(HttpStatusCode.TooManyRequests, unsigned.StatusCode);
        }

        using var blocked = await http.PostAsync("billing/webhook", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        AssertRetryAfter(blocked);
        Assert.StartsWith("Too many requests.", await blocked.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> GetApiAsync(string token)
    {
        using var http = new HttpClient { BaseAddress = host.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.GetAsync("api/builds");
    }

    private async Task<HttpResponseMessage> PostFormAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = host.Address };
        return await http.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>()));
    }

    private static void AssertRetryAfter(HttpResponseMessage response)
    {
        var seconds = response.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.True(seconds is >= 1 and <= 600, $"Retry-After should be 1–600 s, was {response.Headers.RetryAfter}.");
    }
}
