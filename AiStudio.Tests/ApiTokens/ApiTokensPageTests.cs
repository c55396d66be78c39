using AiStudio.Core.ApiTokens;
using AiStudio.Core.Common;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.ApiTokens;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AiStudio.Tests.ApiTokens;

public sealed class ApiTokensPageTests : ComponentTestBase
{
    private Actor _actor = null!;
    private IApiTokenService _tokens = null!;

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        _tokens = Host.Get<IApiTokenService>();
        Services.AddSingleton(_tokens);
        _actor = await SignInNewUserAsync("owner@example.com");
    }

    [Fact]
    public async Task CreateToken_ValidName_ShowsThePlaintextOnceAndListsTheToken()
    {
        var cut = Render<ApiTokensPage>();
        cut.WaitForAssertion(() => Assert.Contains("You have no API tokens yet.", cut.Markup));

        NameInput(cut).Input("CI pipeline");
        await cut.InvokeAsync(() => Button(cut, "Create token").Click());

        var shown = "";
        cut.WaitForAssertion(() =>
        {
            var field = cut.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Contains("copy it now, it will not be shown again") == true);
            shown = field.QuerySelector("input")!.GetAttribute("value") ?? "";
            Assert.StartsWith("ast_", shown);
        });
        Assert.Equal(_actor.UserId, (await _tokens.AuthenticateAsync(shown))?.UserId);
        var row = cut.Find("tbody tr");
        Assert.Contains("CI pipeline", row.TextContent);
        Assert.Contains(shown[..ApiToken.PrefixLength], row.TextContent);
        Assert.Contains("Active", row.TextContent);

        // A fresh visit lists the token but never shows its secret again.
        var again = Render<ApiTokensPage>();
        again.WaitForAssertion(() => Assert.Contains("CI pipeline", again.Find("tbody").TextContent));
        Assert.DoesNotContain(shown, again.Markup);
    }

    [Fact]
    public async Task CreateToken_EmptyName_ShowsMessageAndCreatesNothing()
    {
        var cut = Render<ApiTokensPage>();
        cut.WaitForAssertion(() => Assert.Contains("You have no API tokens yet.", cut.Markup));

        await cut.InvokeAsync(() => Button(cut, "Create token").Click());

        cut.WaitForAssertion(() => Assert.Contains("Token name is required.", cut.Markup));
        Assert.Empty(await _tokens.ListAsync(_actor));
    }

    [Fact]
    public async Task Revoke_Confirmed_MarksTheTokenRevokedAndItStopsWorking()
    {
        var created = await _tokens.CreateAsync(_actor, "old laptop");
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<ApiTokensPage>();
        cut.WaitForAssertion(() => Assert.Contains("old laptop", cut.Find("tbody").TextContent));

        await cut.InvokeAsync(() => Button(cut, "Revoke").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("will get 401 Unauthorized", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Revoke").Click());

        cut.WaitForAssertion(() => Assert.Contains("Revoked", cut.Find("tbody tr").TextContent));
        Assert.Empty(cut.FindAll("tbody button"));
        Assert.Null(await _tokens.AuthenticateAsync(created.Plaintext));
    }

    [Fact]
    public async Task Revoke_Cancelled_LeavesTheTokenActive()
    {
        var created = await _tokens.CreateAsync(_actor, "keep me");
        var dialogs = Render<MudDialogProvider>();
        var cut = Render<ApiTokensPage>();
        cut.WaitForAssertion(() => Assert.Contains("keep me", cut.Find("tbody").TextContent));

        await cut.InvokeAsync(() => Button(cut, "Revoke").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("will get 401 Unauthorized", dialogs.Markup));
        await dialogs.InvokeAsync(() => dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel").Click());

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll(".mud-dialog")));
        Assert.NotNull(await _tokens.AuthenticateAsync(created.Plaintext));
        Assert.Contains("Active", cut.Find("tbody tr").TextContent);
    }

    [Fact]
    public void Render_Always_ShowsCurlExampleWithTheRealBaseAddress()
    {
        var cut = Render<ApiTokensPage>();

        var example = cut.Find("#curl-example").TextContent;
        Assert.Contains("curl -H \"Authorization: Bearer $AISTUDIO_TOKEN\" http://localhost/api/builds", example);
        Assert.Equal("http://localhost/openapi/v1.json", cut.FindAll("a").Single(a => a.TextContent.Contains("OpenAPI document")).GetAttribute("href"));
    }

    private static IElement NameInput(IRenderedComponent<ApiTokensPage> cut) =>
        cut.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Trim() == "Token name").QuerySelector("input")!;

    private static IElement Button(IRenderedComponent<ApiTokensPage> cut, string text) =>
        cut.FindAll("button").First(b => b.TextContent.Trim() == text);
}
