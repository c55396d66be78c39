using System.Net;

namespace AiStudio.Tests.Accounts;

public sealed class AccountsWithEmailTests(AccountHostWithEmail host) : IClassFixture<AccountHostWithEmail>
{
    [Fact]
    public async Task Register_SmtpConfigured_EmailLinkConfirmsAndSignInIsRefusedUntilThen()
    {
        using var client = host.NewClient();
        var (_, form) = await client.GetAsync("Account/Register");
        Assert.DoesNotContain("This server sends no email", form);

        var result = await client.RegisterAsync("confirm-me@smtp.test", AccountHost.Password);

        Assert.True(result.RedirectsTo("Account/RegisterConfirmation"), $"Got {result.Status} {result.Location}.");
        Assert.False(client.HasIdentityCookie);
        var email = await host.Smtp.WaitForAsync("confirm-me@smtp.test", "Confirm your AiStudio account");
        Assert.Equal("noreply@aistudio.test", email.From);

        var early = await client.LogInAsync("confirm-me@smtp.test", AccountHost.Password);
        Assert.Equal(HttpStatusCode.OK, early.Status);
        Assert.Contains("Confirm your email address before you log in", early.Html);
        Assert.False(client.HasIdentityCookie);

        var link = email.FirstLink();
        Assert.Equal(host.Address.Authority, link.Authority);
        var (status, confirmed) = await client.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Thank you for confirming your email.", confirmed);

        var login = await client.LogInAsync("confirm-me@smtp.test", AccountHost.Password);
        Assert.Equal(HttpStatusCode.Redirect, login.Status);
        Assert.True(client.HasIdentityCookie);
    }

    [Fact]
    public async Task ForgotPassword_SmtpConfigured_EmailLinkResetsThePassword()
    {
        await host.CreateUserAsync("forgetful@smtp.test");
        using var client = host.NewClient();

        var asked = await client.SubmitAsync("Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = "forgetful@smtp.test" });

        Assert.True(asked.RedirectsTo("Account/ForgotPasswordConfirmation"), $"Got {asked.Status} {asked.Location}.");
        var link = (await host.Smtp.WaitForAsync("forgetful@smtp.test", "Reset your AiStudio password")).FirstLink();
        const string newPassword = "N3w-passw0rd-for-sure";
        var reset = await client.SubmitAsync(link.PathAndQuery, "reset-password", new Dictionary<string, string>
        {
            ["Input.Email"] = "forgetful@smtp.test",
            ["Input.Password"] = newPassword,
            ["Input.ConfirmPassword"] = newPassword,
        });
        Assert.True(reset.RedirectsTo("Account/ResetPasswordConfirmation"), $"Got {reset.Status} {reset.Location}: {reset.Html}");

        using var oldPassword = host.NewClient();
        Assert.Contains("Invalid login attempt", (await oldPassword.LogInAsync("forgetful@smtp.test", AccountHost.Password)).Html);
        using var fresh = host.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await fresh.LogInAsync("forgetful@smtp.test", newPassword)).Status);
        Assert.True(fresh.HasIdentityCookie);
    }
}
