using System.Net;
using AiStudio.Tests.Accounts;

namespace AiStudio.Tests.Security;

/// <summary>
/// The sign-in and sign-up limits hold for the endpoint, whatever the spelling of its address that routing accepts
/// (a trailing slash, other casing), and the two-factor, recovery-code and external sign-up forms share them.
/// Each test has a host of its own: the limits count per client address, and every test here comes from 127.0.0.1.
/// </summary>
public sealed class RateLimitByEndpointTests
{
    [Fact]
    public async Task SignInForms_OtherSpellingsOfTheirAddresses_CountTowardsOneLimit()
    {
        await using var started = await StartAsync();
        var host = started.Host;

        // Posted as a script would, without a token: each post still counts, and the limiter answers before anything else.
        foreach (var path in new[] { "Account/Login/", "ACCOUNT/login/", "Account/LoginWith2fa/" })
        {
            using var counted = await PostAsync(host, path);
            Assert.True(counted.StatusCode != HttpStatusCode.TooManyRequests, $"{path} was refused before the limit.");
        }

        using var blocked = await PostAsync(host, "account/LOGINWITHRECOVERYCODE/");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);

        using var client = host.NewClient();
        var login = await client.SubmitAsync("Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = "nobody@security.test",
            ["Input.Password"] = AccountHost.Password,
        });
        Assert.Equal(HttpStatusCode.TooManyRequests, login.Status);
    }

    [Fact]
    public async Task SignUpForms_TrailingSlashAndCasing_CountTowardsOneLimitAndMakeNoAccount()
    {
        await using var started = await StartAsync();
        var host = started.Host;
        using var client = host.NewClient();
        for (var i = 0; i < RateLimitedHost.Limit; i++)
        {
            var page = i % 2 == 0 ? "Account/Register/" : "ACCOUNT/REGISTER/";
            var result = await client.SubmitAsync(page, "register", new Dictionary<string, string>
            {
                ["Input.Email"] = $"slash-signup-{i}@security.test",
                ["Input.Password"] = AccountHost.Password,
                ["Input.ConfirmPassword"] = AccountHost.Password,
            });
            Assert.Equal(HttpStatusCode.Redirect, result.Status);
        }

        // The external sign-up form makes accounts too.
        using var external = await PostAsync(host, "Account/ExternalLogin/");
        Assert.Equal(HttpStatusCode.TooManyRequests, external.StatusCode);
        var blocked = await client.SubmitAsync("Account/Register/", "register", new Dictionary<string, string>
        {
            ["Input.Email"] = "slash-signup-last@security.test",
            ["Input.Password"] = AccountHost.Password,
            ["Input.ConfirmPassword"] = AccountHost.Password,
        });
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.FindUserAsync("slash-signup-last@security.test"));
    }

    [Fact]
    public async Task AccountEmailForms_AnySpelling_CountTowardsOneLimit()
    {
        await using var started = await StartAsync();
        var host = started.Host;

        // Each post of these forms may email whatever address was typed in; a script must not send them without end.
        foreach (var path in new[] { "Account/ForgotPassword", "account/FORGOTPASSWORD/", "Account/ResendEmailConfirmation/" })
        {
            using var counted = await PostAsync(host, path);
            Assert.True(counted.StatusCode != HttpStatusCode.TooManyRequests, $"{path} was refused before the limit.");
        }

        using var blocked = await PostAsync(host, "ACCOUNT/RESENDEMAILCONFIRMATION");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);

        // The sign-in forms keep a limit of their own.
        using var login = await PostAsync(host, "Account/Login");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, login.StatusCode);
    }

    [Fact]
    public async Task ResetPasswordForm_ChecksAnEmailedCode_CountsTowardsTheSignInLimit()
    {
        await using var started = await StartAsync();
        var host = started.Host;
        for (var i = 0; i < RateLimitedHost.Limit; i++)
        {
            using var counted = await PostAsync(host, i % 2 == 0 ? "Account/ResetPassword/" : "account/resetpassword");
            Assert.True(counted.StatusCode != HttpStatusCode.TooManyRequests, $"post {i + 1} was refused before the limit.");
        }

        using var blocked = await PostAsync(host, "Account/Login");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
    }

    private static async Task<AsyncHost> StartAsync()
    {
        var host = new AsyncHost();
        await host.Host.InitializeAsync();
        return host;
    }

    private static async Task<HttpResponseMessage> PostAsync(AccountHost host, string path)
    {
        using var http = new HttpClient { BaseAddress = host.Address };
        return await http.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>()));
    }

    private sealed class AsyncHost : IAsyncDisposable
    {
        public RateLimitedHost Host { get; } = new();

        public async ValueTask DisposeAsync() => await Host.DisposeAsync();
    }
}
