using System.Net;
using AiStudio.Core.Identity;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Accounts;

/// <summary>
/// A ReturnUrl that leaves the site (another host, a protocol-relative or backslashed address, a scheme, control
/// characters) never sends the person there and never answers 500: after the sign-in, sign-up, recovery-code sign-in
/// or sign-out has happened, they land on a page of this site.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ReturnUrlTests(AccountHost host) : IClassFixture<AccountHost>
{
    public static TheoryData<string> UnsafeReturnUrls => new()
    {
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
    };

    [Theory]
    [MemberData(nameof(UnsafeReturnUrls))]
    public async Task LogIn_UnsafeReturnUrl_SignedInAndSentToALocalPage(string returnUrl)
    {
        var email = $"login-{Guid.NewGuid():N}@returnurl.test";
        await host.CreateUserAsync(email);
        using var client = host.NewClient();

        var result = await client.SubmitAsync(WithReturnUrl("Account/Login", returnUrl), "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = AccountHost.Password,
        });

        AssertLocalRedirect(result);
        Assert.True(client.HasIdentityCookie);
    }

    [Theory]
    [MemberData(nameof(UnsafeReturnUrls))]
    public async Task Register_UnsafeReturnUrl_AccountMadeAndSentToALocalPage(string returnUrl)
    {
        var email = $"register-{Guid.NewGuid():N}@returnurl.test";
        using var client = host.NewClient();

        var result = await client.SubmitAsync(WithReturnUrl("Account/Register", returnUrl), "register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = AccountHost.Password,
            ["Input.ConfirmPassword"] = AccountHost.Password,
        });

        AssertLocalRedirect(result);
        Assert.True(client.HasIdentityCookie);
        Assert.Equal(email, (await host.FindUserAsync(email)).Email);
    }

    [Theory]
    [MemberData(nameof(UnsafeReturnUrls))]
    public async Task LogInWithRecoveryCode_UnsafeReturnUrl_SignedInAndSentToALocalPage(string returnUrl)
    {
        var email = $"recovery-{Guid.NewGuid():N}@returnurl.test";
        await host.CreateUserAsync(email);
        string code;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            Assert.True((await users.ResetAuthenticatorKeyAsync(user)).Succeeded);
            Assert.True((await users.SetTwoFactorEnabledAsync(user, true)).Succeeded);
            code = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 1))!.Single();
        }

        using var client = host.NewClient();
        var password = await client.SubmitAsync(WithReturnUrl("Account/Login", returnUrl), "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = AccountHost.Password,
        });
        Assert.True(password.RedirectsTo("Account/LoginWith2fa"), $"Expected the two-factor step, got {password.Status} {password.Location}.");

        var result = await client.SubmitAsync(WithReturnUrl("Account/LoginWithRecoveryCode", returnUrl), "login-with-recovery-code",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = code });

        AssertLocalRedirect(result);
        Assert.True(client.HasIdentityCookie);
    }

    [Theory]
    [MemberData(nameof(UnsafeReturnUrls))]
    public async Task LogOut_UnsafeReturnUrl_SignedOutAndSentToALocalPage(string returnUrl)
    {
        var email = $"logout-{Guid.NewGuid():N}@returnurl.test";
        await host.CreateUserAsync(email);
        using var client = host.NewClient();
        Assert.True((await client.LogInAsync(email, AccountHost.Password)).RedirectsTo("/"));

        var result = await client.SubmitAsync("Account/Manage", "Account/Logout", new Dictionary<string, string> { ["ReturnUrl"] = returnUrl });

        AssertLocalRedirect(result);
        Assert.False(client.HasIdentityCookie);
    }

    [Theory]
    [InlineData("/builds", "/builds")]
    [InlineData("projects?x=1", "projects?x=1")]
    public async Task LogIn_LocalReturnUrl_SentThere(string returnUrl, string expected)
    {
        var email = $"local-{Guid.NewGuid():N}@returnurl.test";
        await host.CreateUserAsync(email);
        using var client = host.NewClient();

        var result = await client.SubmitAsync(WithReturnUrl("Account/Login", returnUrl), "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = AccountHost.Password,
        });

        Assert.Equal(HttpStatusCode.Redirect, result.Status);
        Assert.EndsWith(expected, result.Location!.OriginalString);
    }

    private static string WithReturnUrl(string page, string returnUrl) => $"{page}?ReturnUrl={Uri.EscapeDataString(returnUrl)}";

    private void AssertLocalRedirect(FormResult result)
    {
        Assert.True(result.Status == HttpStatusCode.Redirect, $"Expected a redirect, got {(int)result.Status}: {Excerpt(result.Html)}");
        var target = new Uri(host.Address, result.Location!);
        Assert.Equal(host.Address.Authority, target.Authority);
        Assert.Equal(host.Address.Scheme, target.Scheme);
        var location = result.Location!.OriginalString;
        Assert.DoesNotContain("evil.example", location);
        Assert.DoesNotContain("javascript:", location);
    }

    private static string Excerpt(string html) => html.Length > 400 ? html[..400] : html;
}
