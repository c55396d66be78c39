using System.Net;
using System.Text;
using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Accounts;

/// <summary>
/// What a person does to their own account's credentials through the account pages is in the audit trail, written with
/// the change: sign-up, a password change, an email change, and every two-factor change. A change that fails writes
/// nothing. And a name typed into an anonymous form is recorded within the input rules: no control or bidi characters.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class AccountAuditTests(AccountHost host) : IClassFixture<AccountHost>
{
    private const string NewPassword = "N3w-Passw0rd!-long-enough";

    [Fact]
    public async Task Register_NewAccount_AccountCreatedEventByThePerson()
    {
        var email = $"signup-{Guid.NewGuid():N}@audit.test";
        using var client = host.NewClient();

        Assert.Equal(HttpStatusCode.Redirect, (await client.RegisterAsync(email, AccountHost.Password)).Status);

        var user = await host.FindUserAsync(email);
        var created = Assert.Single(await EventsAsync(user.Id), e => e.Action == AuditActions.AccountCreated);
        Assert.Equal(email, created.ActorName);
        Assert.Equal(user.Id, created.EntityId);
    }

    [Fact]
    public async Task ChangePassword_WrongThenRight_OneEventForTheChangeOnly()
    {
        var email = $"password-{Guid.NewGuid():N}@audit.test";
        var user = await host.CreateUserAsync(email);
        using var client = host.NewClient();
        Assert.True((await client.LogInAsync(email, AccountHost.Password)).RedirectsTo("/"));

        var wrong = await client.SubmitAsync("Account/Manage/ChangePassword", "change-password", ChangePasswordFields("not-the-password"));
        Assert.Equal(HttpStatusCode.OK, wrong.Status);
        Assert.DoesNotContain(await EventsAsync(user.UserId), e => e.Action == AuditActions.PasswordChanged);

        var right = await client.SubmitAsync("Account/Manage/ChangePassword", "change-password", ChangePasswordFields(AccountHost.Password));
        Assert.Equal(HttpStatusCode.Redirect, right.Status);

        var changed = Assert.Single(await EventsAsync(user.UserId), e => e.Action == AuditActions.PasswordChanged);
        Assert.Equal(user.UserId, changed.ActorId);
    }

    [Fact]
    public async Task ConfirmEmailChange_EmailedLink_EmailChangedEventWithBeforeAndAfter()
    {
        var email = $"old-{Guid.NewGuid():N}@audit.test";
        var newEmail = email.Replace("old-", "new-", StringComparison.Ordinal);
        var user = await host.CreateUserAsync(email);
        string token;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            token = await users.GenerateChangeEmailTokenAsync((await users.FindByIdAsync(user.UserId))!, newEmail);
        }

        using var client = host.NewClient();
        Assert.True((await client.LogInAsync(email, AccountHost.Password)).RedirectsTo("/"));
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

        var (status, html) = await client.GetAsync($"Account/ConfirmEmailChange?userId={user.UserId}&email={Uri.EscapeDataString(newEmail)}&code={code}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Thank you for confirming your email change", html);
        var changed = Assert.Single(await EventsAsync(user.UserId), e => e.Action == AuditActions.EmailChanged);
        Assert.Equal(email, changed.Before);
        Assert.Equal(newEmail, changed.After);
    }

    [Fact]
    public async Task TwoFactor_EnableThenPagesForCodesResetAndDisable_EachChangeRecorded()
    {
        var email = $"twofactor-{Guid.NewGuid():N}@audit.test";
        var user = await host.CreateUserAsync(email);
        string recoveryCode;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            // What the Enable authenticator page does once the code from the app checks out.
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var stored = (await users.FindByIdAsync(user.UserId))!;
            Assert.True((await users.ResetAuthenticatorKeyAsync(stored)).Succeeded);
            Assert.True((await users.SetTwoFactorEnabledAsync(stored, true)).Succeeded);
            recoveryCode = (await users.GenerateNewTwoFactorRecoveryCodesAsync(stored, 10))!.First();
        }

        using var client = host.NewClient();
        Assert.True((await client.LogInAsync(email, AccountHost.Password)).RedirectsTo("Account/LoginWith2fa"));
        Assert.Equal(HttpStatusCode.Redirect, (await client.SubmitAsync("Account/LoginWithRecoveryCode", "login-with-recovery-code",
            new Dictionary<string, string> { ["Input.RecoveryCode"] = recoveryCode })).Status);

        Assert.Equal(HttpStatusCode.OK, (await client.SubmitAsync("Account/Manage/GenerateRecoveryCodes", "generate-recovery-codes", new Dictionary<string, string>())).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SubmitAsync("Account/Manage/Disable2fa", "disable-2fa", new Dictionary<string, string>())).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SubmitAsync("Account/Manage/ResetAuthenticator", "reset-authenticator", new Dictionary<string, string>())).Status);

        var actions = (await EventsAsync(user.UserId)).Select(e => e.Action).ToList();
        Assert.Equal(2, actions.Count(a => a == AuditActions.AuthenticatorReset));
        Assert.Equal(2, actions.Count(a => a == AuditActions.RecoveryCodesGenerated));
        Assert.Single(actions, AuditActions.TwoFactorEnabled);
        Assert.Single(actions, AuditActions.TwoFactorDisabled);
    }

    [Theory]
    [InlineData("\u202Eadmin-{0}@evil.example")]
    [InlineData("ad\u0007min-{0}@evil.example")]
    [InlineData("admin-{0}\u2066@evil.example\u2069")]
    [InlineData("ad\u0085min-{0}@evil.example")]
    public async Task LogIn_NameWithControlOrBidiCharacters_RecordedWithinTheInputRules(string template)
    {
        var marker = Guid.NewGuid().ToString("N");
        var typed = template.Replace("{0}", marker, StringComparison.Ordinal);
        using var client = host.NewClient();

        var result = await client.LogInAsync(typed, "whatever-password");
        Assert.Equal(HttpStatusCode.OK, result.Status);

        await using var db = await host.Get<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        var recorded = Assert.Single(await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == AuditActions.SignInFailed && e.ActorName.Contains(marker)).ToListAsync());
        Assert.Null(TextInput.Problem("Actor", recorded.ActorName, 256));
        Assert.Equal(Visible(typed), recorded.ActorName);
    }

    // The typed name with each refused character written out, as the record should hold it.
    private static string Visible(string name) => string.Concat(name.Trim().Select(c =>
        char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' ? $"<U+{(int)c:X4}>" : c.ToString()));

    private static Dictionary<string, string> ChangePasswordFields(string oldPassword) => new()
    {
        ["Input.OldPassword"] = oldPassword,
        ["Input.NewPassword"] = NewPassword,
        ["Input.ConfirmPassword"] = NewPassword,
    };

    private async Task<List<AuditEvent>> EventsAsync(string userId)
    {
        await using var db = await host.Get<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().Where(e => e.ActorId == userId).OrderBy(e => e.Id).ToListAsync();
    }
}
