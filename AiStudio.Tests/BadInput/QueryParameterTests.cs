using System.Net;
using AiStudio.Core.Identity;
using AiStudio.Tests.Accounts;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// A query value or route value that does not parse (a word where a number, guid or bool belongs, a number too
/// big for its type) is taken as absent or answers "not found", over real HTTP, for whoever asks: never a 500.
/// Every [SupplyParameterFromQuery] and route parameter of the app's pages is here.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class QueryParameterTests(AccountHost host) : IClassFixture<AccountHost>
{
    public static TheoryData<string, string> AdminPages => new()
    {
        { "admin/prompts/QAssistant/compare?from=abc", "Compare prompt versions" },
        { "admin/prompts/QAssistant/compare?from=99999999999&to=1.5", "Compare prompt versions" },
        { "admin/prompts/QAssistant/compare?to=%00", "Compare prompt versions" },
        { "admin/prompts?edit=Nope&from=abc", "Role prompts" },
        { "admin/prompts?edit=QAssistant&from=abc", "Role prompts" },
        { "admin/prompts?edit=QAssistant&from=00000000-0000-0000-0000-000000000000", "Role prompts" },
        { "admin/audit/abc", "" },
        { "admin/audit/99999999999999999999999", "" },
        { "builds/not-a-guid", "" },
        { "projects/not-a-guid", "" },
        { "prompts/not-a-guid", "" },
        { "Account/Manage/RenamePasskey/%25%25not-base64", "" },
    };

    [Theory]
    [MemberData(nameof(AdminPages))]
    public async Task Page_UnparseableValue_AnswersWithoutServerErrorForAnAdmin(string page, string words)
    {
        using var admin = await SignedInAsync(isAdmin: true);

        var (status, html) = await admin.GetAsync(page);

        AssertNoServerError(page, status, html);
        Assert.Contains(words, html);
    }

    [Theory]
    [InlineData("admin/prompts/QAssistant/compare?from=abc")]
    [InlineData("admin/prompts?edit=Nope&from=abc")]
    [InlineData("Account/Manage/Disable2fa")]
    [InlineData("Account/Manage/GenerateRecoveryCodes")]
    public async Task Page_UnparseableValueOrWrongState_AnswersWithoutServerErrorForAMember(string page)
    {
        using var member = await SignedInAsync(isAdmin: false);

        var (status, html) = await member.GetAsync(page);

        AssertNoServerError(page, status, html);
    }

    [Theory]
    [InlineData("Account/LoginWith2fa?RememberMe=abc")]
    [InlineData("Account/LoginWith2fa")]
    [InlineData("Account/LoginWithRecoveryCode?ReturnUrl=%2F%2Fevil.example")]
    public async Task TwoFactorPages_WithoutAPasswordFirst_SentToLogIn(string page)
    {
        using var anonymous = host.NewClient();

        var (status, html) = await anonymous.GetAsync(page);

        AssertNoServerError(page, status, html);
        Assert.Equal(HttpStatusCode.Redirect, status);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("true")]
    public async Task LogInWith2fa_RememberMeNotABool_PageShown(string rememberMe)
    {
        var email = $"remember-{Guid.NewGuid():N}@query.test";
        await host.CreateUserAsync(email);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            Assert.True((await users.ResetAuthenticatorKeyAsync(user)).Succeeded);
            Assert.True((await users.SetTwoFactorEnabledAsync(user, true)).Succeeded);
        }

        using var client = host.NewClient();
        Assert.True((await client.LogInAsync(email, AccountHost.Password)).RedirectsTo("Account/LoginWith2fa"));

        var page = $"Account/LoginWith2fa?RememberMe={rememberMe}&ReturnUrl=%2Fbuilds";
        var (status, html) = await client.GetAsync(page);

        AssertNoServerError(page, status, html);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Enter your authenticator code", html);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("!!!")]
    public async Task EmailedLinks_CodeNotBase64Url_InvalidLinkNotServerError(string code)
    {
        var email = $"link-{Guid.NewGuid():N}@query.test";
        var user = await host.CreateUserAsync(email);
        using var client = await SignedInAsync(isAdmin: false);

        foreach (var page in new[]
        {
            $"Account/ConfirmEmail?userId={user.UserId}&code={code}",
            $"Account/ConfirmEmailChange?userId={user.UserId}&email=changed%40query.test&code={code}",
            $"Account/ResetPassword?code={code}",
        })
        {
            var (status, html) = await client.GetAsync(page);
            AssertNoServerError(page, status, html);
        }

        Assert.Equal(email, (await host.FindUserAsync(email)).Email);
    }

    private static void AssertNoServerError(string page, HttpStatusCode status, string html) =>
        Assert.True((int)status < 500, $"{page} answered {(int)status}: {(html.Length > 300 ? html[..300] : html)}");

    private async Task<AccountClient> SignedInAsync(bool isAdmin)
    {
        var email = $"{(isAdmin ? "admin" : "member")}-{Guid.NewGuid():N}@query.test";
        await host.CreateUserAsync(email, isAdmin);
        var client = host.NewClient();
        Assert.True((await client.LogInAsync(email, AccountHost.Password)).RedirectsTo("/"));
        return client;
    }
}
