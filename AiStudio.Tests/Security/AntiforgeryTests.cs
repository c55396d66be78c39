using System.Net;
using AiStudio.Core.Identity;
using AiStudio.Tests.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Security;

/// <summary>
/// A form posted without the page's antiforgery token, as a forged cross-site form would be, is refused with 400 and
/// changes nothing. (Interactive forms, such as the new build dialog, are not HTTP posts: they travel over the
/// signed-in circuit, whose cookie a cross-site page cannot send.)
/// </summary>
public sealed class AntiforgeryTests(AccountHost host) : IClassFixture<AccountHost>
{
    private const string NewPassword = "N3w-Passw0rd!-long-enough";

    [Fact]
    public async Task LogInForm_WithoutToken_RefusedAndNotSignedIn()
    {
        await host.CreateUserAsync("forged-login@security.test");
        using var client = host.NewClient();

        var result = await client.SubmitAsync("Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = "forged-login@security.test",
            ["Input.Password"] = AccountHost.Password,
        }, withAntiforgeryToken: false);

        AssertRefusedForMissingToken(result);
        Assert.False(client.HasIdentityCookie);
        var user = await host.FindUserAsync("forged-login@security.test");
        Assert.Null(user.LastSignInAt);
        Assert.Equal(0, user.AccessFailedCount);

        // The same form with its token signs in: the refusal above was the missing token, nothing else.
        Assert.True((await client.LogInAsync("forged-login@security.test", AccountHost.Password)).RedirectsTo("/"));
        Assert.True(client.HasIdentityCookie);
    }

    [Fact]
    public async Task RegisterForm_WithoutToken_RefusedAndNoAccountMade()
    {
        using var client = host.NewClient();

        var result = await client.SubmitAsync("Account/Register", "register", new Dictionary<string, string>
        {
            ["Input.Email"] = "forged-register@security.test",
            ["Input.Password"] = AccountHost.Password,
            ["Input.ConfirmPassword"] = AccountHost.Password,
        }, withAntiforgeryToken: false);

        AssertRefusedForMissingToken(result);
        Assert.Null(await FindAsync("forged-register@security.test"));
        Assert.False(client.HasIdentityCookie);
    }

    public static TheoryData<string, string> AnonymousForms => new()
    {
        { "Account/ForgotPassword", "forgot-password" },
        { "Account/ResendEmailConfirmation", "resend-email-confirmation" },
    };

    [Theory]
    [MemberData(nameof(AnonymousForms))]
    public async Task AnonymousForm_WithoutToken_Refused(string page, string form)
    {
        using var client = host.NewClient();

        var result = await client.SubmitAsync(page, form, new Dictionary<string, string> { ["Input.Email"] = "someone@security.test" }, withAntiforgeryToken: false);

        AssertRefusedForMissingToken(result);
    }

    [Fact]
    public async Task ChangePasswordForm_WithoutToken_RefusedAndOldPasswordStillWorks()
    {
        var email = "forged-password@security.test";
        using var client = await SignedInAsync(email);

        var result = await client.SubmitAsync("Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = AccountHost.Password,
            ["Input.NewPassword"] = NewPassword,
            ["Input.ConfirmPassword"] = NewPassword,
        }, withAntiforgeryToken: false);

        AssertRefusedForMissingToken(result);
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email);
        Assert.True(await users.CheckPasswordAsync(user!, AccountHost.Password));
        Assert.False(await users.CheckPasswordAsync(user!, NewPassword));
    }

    [Fact]
    public async Task DeletePersonalDataForm_WithoutToken_RefusedAndAccountKept()
    {
        var email = "forged-delete@security.test";
        using var client = await SignedInAsync(email);

        var result = await client.SubmitAsync("Account/Manage/DeletePersonalData", "delete-user",
            new Dictionary<string, string> { ["Input.Password"] = AccountHost.Password }, withAntiforgeryToken: false);

        AssertRefusedForMissingToken(result);
        Assert.NotNull(await FindAsync(email));
    }

    [Fact]
    public async Task LogOutForm_WithoutToken_RefusedAndStillSignedIn()
    {
        using var client = await SignedInAsync("forged-logout@security.test");

        // The log-out form lives in the layout of every interactive page; the account page is a static one that has it.
        var result = await client.SubmitAsync("Account/Manage", "Account/Logout",
            new Dictionary<string, string> { ["ReturnUrl"] = "/" }, withAntiforgeryToken: false);

        AssertRefusedForMissingToken(result);
        var (status, _) = await client.GetAsync("Account/Manage");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task DownloadPersonalDataForm_WithoutToken_RefusedAndNothingRevealed()
    {
        var email = "forged-download@security.test";
        using var client = await SignedInAsync(email);

        var forged = await client.SubmitAsync("Account/Manage/PersonalData", "Account/Manage/DownloadPersonalData",
            new Dictionary<string, string>(), withAntiforgeryToken: false);

        AssertRefusedForMissingToken(forged);
        Assert.DoesNotContain(email, forged.Html);

        // The page's own form, with its token, still downloads.
        var download = await client.SubmitAsync("Account/Manage/PersonalData", "Account/Manage/DownloadPersonalData", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, download.Status);
        Assert.Contains(email, download.Html);
    }

    [Theory]
    [InlineData("Account/PasskeyRequestOptions?username=someone%40security.test")]
    [InlineData("Account/PasskeyCreationOptions")]
    public async Task PasskeyOptions_WithoutTokenHeader_Refused(string path)
    {
        // The passkey script sends the token in a header; without it the options are refused before anything else.
        using var http = new HttpClient { BaseAddress = host.Address };

        using var response = await http.PostAsync(path, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static void AssertRefusedForMissingToken(FormResult result)
    {
        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Contains("antiforgery", result.Html, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<AccountClient> SignedInAsync(string email)
    {
        await host.CreateUserAsync(email);
        var client = host.NewClient();
        Assert.True((await client.LogInAsync(email, AccountHost.Password)).RedirectsTo("/"));
        return client;
    }

    private async Task<ApplicationUser?> FindAsync(string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email);
    }
}
