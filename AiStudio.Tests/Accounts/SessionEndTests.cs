using System.Net;
using System.Reflection;
using AiStudio.Core.Identity;
using AiStudio.Core.Users;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Accounts;

/// <summary>
/// A password change or an administrator's Lock ends the account's other sessions at once: another browser's next
/// request is signed out, and an open interactive page (its circuit) is checked again within seconds. The browser
/// that changed its own password stays signed in.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class SessionEndTests(AccountHost host) : IClassFixture<AccountHost>
{
    private const string NewPassword = "N3w-Passw0rd!-long-enough";
    private const string SignedInPage = "account/api-tokens";

    [Fact]
    public async Task ChangePassword_AnotherBrowserSignedIn_ItsNextRequestIsSignedOut()
    {
        var email = $"two-browsers-{Guid.NewGuid():N}@sessions.test";
        await host.CreateUserAsync(email);
        using var laptop = await SignedInAsync(email);
        using var phone = await SignedInAsync(email);

        var changed = await laptop.SubmitAsync("Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = AccountHost.Password,
            ["Input.NewPassword"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.Status);

        await AssertSignedOutAsync(phone);
        var (status, _) = await laptop.GetAsync(SignedInPage);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task AdminLock_UserSignedIn_TheirNextRequestIsSignedOut()
    {
        var admin = await host.CreateUserAsync($"locker-{Guid.NewGuid():N}@sessions.test", isAdmin: true);
        var email = $"locked-{Guid.NewGuid():N}@sessions.test";
        var user = await host.CreateUserAsync(email);
        using var browser = await SignedInAsync(email);

        await host.Get<IUserAdminService>().LockAsync(admin, user.UserId);

        await AssertSignedOutAsync(browser);
    }

    [Fact]
    public async Task OwnAuthenticatorSetUp_NewSecurityStamp_ThisBrowserStaysSignedInTheOtherIsNot()
    {
        var email = $"authenticator-{Guid.NewGuid():N}@sessions.test";
        await host.CreateUserAsync(email);
        using var laptop = await SignedInAsync(email);
        using var phone = await SignedInAsync(email);

        // Opening the page makes the account's first authenticator key, which gives it a new security stamp.
        var (opened, _) = await laptop.GetAsync("Account/Manage/EnableAuthenticator");
        Assert.Equal(HttpStatusCode.OK, opened);

        var (status, _) = await laptop.GetAsync(SignedInPage);
        Assert.Equal(HttpStatusCode.OK, status);
        await AssertSignedOutAsync(phone);
    }

    [Fact]
    public async Task Circuit_PasswordChangedElsewhere_RevalidatedWithinSecondsAndFound()
    {
        var email = $"circuit-{Guid.NewGuid():N}@sessions.test";
        await host.CreateUserAsync(email);
        await using var scope = host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var provider = services.GetRequiredService<AuthenticationStateProvider>();
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        var state = new AuthenticationState(await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user));

        // The revalidating provider's own schedule and check, as the circuit runs them.
        var interval = (TimeSpan)provider.GetType().GetProperty("RevalidationInterval", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(provider)!;
        Assert.True(interval <= TimeSpan.FromSeconds(10), $"An open page is checked every {interval}; a password change would not end it for that long.");
        Assert.True(await ValidateAsync(provider, state));

        Assert.True((await users.ChangePasswordAsync(user, AccountHost.Password, NewPassword)).Succeeded);

        Assert.False(await ValidateAsync(provider, state));
    }

    private static Task<bool> ValidateAsync(AuthenticationStateProvider provider, AuthenticationState state) =>
        (Task<bool>)provider.GetType().GetMethod("ValidateAuthenticationStateAsync", BindingFlags.Instance | BindingFlags.NonPublic)!
            .Invoke(provider, [state, CancellationToken.None])!;

    /// <summary>The next request is turned away to the log-in page, and the stale cookie is deleted.</summary>
    private static async Task AssertSignedOutAsync(AccountClient browser)
    {
        Assert.True(browser.HasIdentityCookie);
        var (status, _) = await browser.GetAsync(SignedInPage);
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.False(browser.HasIdentityCookie, "The stale session's cookie should have been deleted.");
    }

    private async Task<AccountClient> SignedInAsync(string email)
    {
        var client = host.NewClient();
        Assert.True((await client.LogInAsync(email, AccountHost.Password)).RedirectsTo("/"));
        return client;
    }
}
