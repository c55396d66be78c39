using System.Net;
using AiStudio.Tests.Accounts;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// The account forms (static server-rendered, posted with their antiforgery token as a browser would) with every
/// bad value: the form comes back with a message, no account, sign-in or change is made, and markup is echoed as text.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class IdentityFormTests(AccountHost host) : IClassFixture<AccountHost>
{
    private const string Password = "Str0ng!Passw0rd";

    private static readonly Dictionary<string, (string Email, string Message)> BadEmails = new()
    {
        [BadText.Empty] = ("", "The Email field is required."),
        [BadText.Whitespace] = ("   ", "The Email field is required."),
        [BadText.Megabyte] = (new string('a', 1024 * 1024) + "@example.com", "The Email must be at most 256 characters long."),
        [BadText.ControlCharacters] = ("new\u0007user@example.com", "is invalid"),
        [BadText.BidiOverride] = ("new\u202Euser@example.com", "is invalid"),
        [BadText.ScriptTag] = (BadText.ScriptValue, "The Email field is not a valid e-mail address."),
        [BadText.SqlLooking] = ("x'); DROP TABLE AspNetUsers;--@example.com", "is invalid"),
        [BadText.MixedScripts] = ("用户👩‍💻@例子.广告", "is invalid"),
    };

    public static TheoryData<string> BadEmailRows => new(BadEmails.Keys);

    [Theory]
    [MemberData(nameof(BadEmailRows))]
    public async Task Register_BadEmail_FormShowsWhyAndNoAccount(string row)
    {
        var (email, message) = BadEmails[row];
        var before = await DatabaseSnapshot.TakeAsync(host.Services);
        using var client = host.NewClient();

        var result = await client.RegisterAsync(email, Password);

        AssertRefused(result, client, message);
        Assert.Equal(before, await DatabaseSnapshot.TakeAsync(host.Services));
    }

    [Theory]
    [MemberData(nameof(BadEmailRows))]
    public async Task LogIn_BadEmail_FormShowsWhyAndNoSignIn(string row)
    {
        var (email, message) = BadEmails[row];
        using var client = host.NewClient();

        var result = await client.LogInAsync(email, Password);

        // Identity's own rules (which characters a user name may have) do not apply to signing in: those answer as any unknown account.
        AssertRefused(result, client, message == "is invalid" ? "Invalid login attempt." : message);
    }

    [Theory]
    [InlineData("short", "The Password must be at least 6")]
    [InlineData("shortpw", "Passwords must be at least 8 characters.")]
    [InlineData("                ", "The Password field is required.")]
    public async Task Register_BadPassword_FormShowsWhyAndNoAccount(string password, string message)
    {
        var before = await DatabaseSnapshot.TakeAsync(host.Services);
        using var client = host.NewClient();

        var result = await client.RegisterAsync("someone@example.com", password);

        AssertRefused(result, client, message);
        Assert.Equal(before, await DatabaseSnapshot.TakeAsync(host.Services));
    }

    [Theory]
    [InlineData(BadText.Megabyte)]
    [InlineData(BadText.ScriptTag)]
    public async Task ForgotPassword_BadEmail_FormShowsWhy(string row)
    {
        var (email, message) = BadEmails[row];
        using var client = host.NewClient();

        var result = await client.SubmitAsync("Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });

        AssertRefused(result, client, message);
    }

    private static void AssertRefused(FormResult result, AccountClient client, string message)
    {
        Assert.True(result.Status == HttpStatusCode.OK, $"Expected the form again, got {(int)result.Status} to {result.Location}.");
        Assert.Contains(WebUtility.HtmlEncode(message), result.Html);
        Assert.DoesNotContain("<script>window.__xss", result.Html);
        Assert.False(client.HasIdentityCookie);
    }
}
