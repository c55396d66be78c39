using System.Net;
using AiStudio.Core.Identity;
using AiStudio.Core.Persistence;
using AiStudio.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Accounts;

public sealed class AccountsWithoutEmailTests(AccountHost host) : IClassFixture<AccountHost>
{
    [Fact]
    public async Task Register_NoSmtpConfigured_SaysNoEmailIsSentAndSignsInConfirmed()
    {
        using var client = host.NewClient();
        var (_, form) = await client.GetAsync("Account/Register");
        Assert.Contains("This server sends no email", form);

        var result = await client.RegisterAsync("newcomer@nosmtp.test", AccountHost.Password);

        Assert.Equal(HttpStatusCode.Redirect, result.Status);
        Assert.True(client.HasIdentityCookie, "Sign-up without email should sign the person in at once.");
        Assert.True((await host.FindUserAsync("newcomer@nosmtp.test")).EmailConfirmed);
        Assert.NotNull((await host.FindUserAsync("newcomer@nosmtp.test")).LastSignInAt);
        var (status, page) = await client.GetAsync("account/api-tokens");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Create a token", page);
    }

    [Fact]
    public async Task LogInAndLogOut_ConfirmedUser_CookieComesAndGoes()
    {
        await host.CreateUserAsync("inout@nosmtp.test");
        using var client = host.NewClient();

        var login = await client.LogInAsync("inout@nosmtp.test", AccountHost.Password);
        Assert.Equal(HttpStatusCode.Redirect, login.Status);
        Assert.True(client.HasIdentityCookie);

        var logout = await client.SubmitAsync("account/api-tokens", "Account/Logout", new Dictionary<string, string> { ["ReturnUrl"] = "" });

        Assert.Equal(HttpStatusCode.Redirect, logout.Status);
        Assert.False(client.HasIdentityCookie);
    }

    [Fact]
    public async Task LogIn_FiveWrongPasswords_LocksOutForFifteenMinutesEvenWithTheRightPassword()
    {
        await host.CreateUserAsync("guesser@nosmtp.test");
        using var client = host.NewClient();

        for (var attempt = 1; attempt < IdentityRegistration.MaxFailedAccessAttempts; attempt++)
        {
            var wrong = await client.LogInAsync("guesser@nosmtp.test", $"wrong-password-{attempt}");
            Assert.Equal(HttpStatusCode.OK, wrong.Status);
            Assert.Contains("Invalid login attempt", wrong.Html);
        }

        var fifth = await client.LogInAsync("guesser@nosmtp.test", "wrong-password-5");
        Assert.True(fifth.RedirectsTo("Account/Lockout"), $"Expected a redirect to the lockout page, got {fifth.Status} {fifth.Location}.");

        var right = await client.LogInAsync("guesser@nosmtp.test", AccountHost.Password);
        Assert.True(right.RedirectsTo("Account/Lockout"));
        Assert.False(client.HasIdentityCookie);
        var lockoutEnd = (await host.FindUserAsync("guesser@nosmtp.test")).LockoutEnd;
        Assert.NotNull(lockoutEnd);
        Assert.InRange(lockoutEnd.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15.5));
    }

    [Fact]
    public async Task Register_ConfiguredAdminEmail_GetsAdminRoleAtSignInAndSeesTheUsersPage()
    {
        using var client = host.NewClient();

        var result = await client.RegisterAsync(AccountHost.ConfiguredAdmin, AccountHost.Password);

        Assert.Equal(HttpStatusCode.Redirect, result.Status);
        Assert.True(await host.IsInAdminRoleAsync(AccountHost.ConfiguredAdmin));
        var (status, page) = await client.GetAsync("admin/users");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Search by email", page);
        Assert.DoesNotContain("Only administrators", page);

        await using var db = await host.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        var user = await host.FindUserAsync(AccountHost.ConfiguredAdmin);
        var audit = await db.AuditEvents.SingleAsync(e => e.EntityId == user.Id && e.Action == UserAuditActions.Promoted);
        Assert.Contains("Admin:Emails", audit.Detail);
    }

    [Fact]
    public async Task UsersPage_SignedInNonAdmin_ShowsRefusal()
    {
        await host.CreateUserAsync("plain@nosmtp.test");
        using var client = host.NewClient();
        await client.LogInAsync("plain@nosmtp.test", AccountHost.Password);

        var (status, page) = await client.GetAsync("admin/users");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Only administrators can manage users.", page);
        Assert.DoesNotContain("plain@nosmtp.test</td>", page);
    }
}
