using AiStudio.Core.Identity;
using AiStudio.Tests.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Security;

/// <summary>Every cookie the app sets, the antiforgery and the sign-in cookie among them, is HttpOnly and SameSite; over HTTPS also Secure.</summary>
public sealed class SecureCookieTests(AccountHost host) : IClassFixture<AccountHost>
{
    [Fact]
    public async Task SignIn_OverPlainHttp_EveryCookieHttpOnlyAndSameSite()
    {
        await host.CreateUserAsync("cookies-http@security.test");
        using var client = host.NewClient();

        Assert.True((await client.LogInAsync("cookies-http@security.test", AccountHost.Password)).RedirectsTo("/"));

        AssertCookies(client.SetCookieHeaders, expectSecure: false);
    }

    [Fact]
    public async Task SignIn_OverHttps_EveryCookieAlsoSecure()
    {
        await using var app = new HttpsAppFactory();
        using var client = app.NewClient();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var created = await users.CreateAsync(new ApplicationUser { UserName = "cookies-https@security.test", Email = "cookies-https@security.test", EmailConfirmed = true }, AccountHost.Password);
            Assert.True(created.Succeeded);
        }

        Assert.True((await client.LogInAsync("cookies-https@security.test", AccountHost.Password)).RedirectsTo("/"));

        AssertCookies(client.SetCookieHeaders, expectSecure: true);
    }

    private static void AssertCookies(IReadOnlyList<string> setCookies, bool expectSecure)
    {
        Assert.Contains(setCookies, c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        Assert.Contains(setCookies, c => c.StartsWith(AccountClient.IdentityCookie + "=", StringComparison.Ordinal));
        foreach (var cookie in setCookies)
        {
            var attributes = cookie.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(a => a.ToLowerInvariant()).ToList();
            Assert.True(attributes.Contains("httponly"), $"Not HttpOnly: {cookie}");
            Assert.True(attributes.Contains("samesite=lax") || attributes.Contains("samesite=strict"), $"Not SameSite Lax or Strict: {cookie}");
            Assert.True(attributes.Contains("secure") == expectSecure, $"Secure should be {expectSecure}: {cookie}");
        }
    }
}
