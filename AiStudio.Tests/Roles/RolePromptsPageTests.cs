using System.Security.Claims;
using AiStudio.Core.Identity;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Admin.Prompts;
using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AiStudio.Tests.Roles;

public sealed class RolePromptsPageTests : ComponentTestBase
{
    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        Services.AddSingleton(Host.Get<IRolePromptService>());
    }

    [Fact]
    public async Task SaveAsNewVersion_WithoutWhy_ShowsMessageThenSavesOnceWhyIsGiven()
    {
        SignInAdmin();
        Render<MudPopoverProvider>();
        var cut = Render<RolePromptsPage>();
        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("section[id^='role-']").Count));

        await cut.InvokeAsync(() => cut.Find("button[aria-label='Edit the Code Writer prompt']").Click());
        var text = cut.WaitForElement("#prompt-text");
        Assert.Equal(DefaultRolePrompts.For(AiRole.CodeWriter), text.GetAttribute("value") ?? text.TextContent);
        text.Input("You are the Code Writer. Write small, tested classes.");
        await cut.InvokeAsync(() => cut.Find("#save-prompt").Click());

        cut.WaitForAssertion(() => Assert.Contains("Say why this change is made.", cut.Find("#prompt-editor").TextContent));
        Assert.Equal(1, await VersionCountAsync(AiRole.CodeWriter));

        cut.Find("#prompt-why").Input("Shorter and stricter");
        await cut.InvokeAsync(() => cut.Find("#save-prompt").Click());

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#prompt-editor")));
        var section = cut.Find("#role-CodeWriter");
        Assert.Contains("Active: version 2", section.TextContent);
        var newest = section.QuerySelector("tbody tr")!;
        Assert.Equal("2", newest.GetAttribute("data-version"));
        Assert.Contains("Shorter and stricter", newest.TextContent);
        Assert.Contains("Active", newest.Children[4].TextContent);
        Assert.Equal(2, await VersionCountAsync(AiRole.CodeWriter));
    }

    [Fact]
    public async Task Render_NonAdmin_ShowsRefusal()
    {
        await SignInNewUserAsync("member@example.com");

        var cut = Render<RolePromptsPage>();

        cut.WaitForAssertion(() => Assert.Contains("Only administrators can manage role prompts.", cut.Find("#prompts-refused").TextContent));
        Assert.Empty(cut.FindAll("section[id^='role-']"));
    }

    private void SignInAdmin()
    {
        var authorization = AddAuthorization();
        authorization.SetAuthorized("admin@example.com");
        // The role as a plain claim: bUnit's SetRoles would replace the claims set here.
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, "admin-1"), new Claim(ClaimTypes.Role, AdminRole.Name));
    }

    private async Task<int> VersionCountAsync(AiRole role)
    {
        await using var db = await Host.CreateDbContextAsync();
        return await db.RolePrompts.CountAsync(p => p.Role == role);
    }
}
