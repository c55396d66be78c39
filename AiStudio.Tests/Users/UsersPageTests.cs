using System.Security.Claims;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Users;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Admin.Users;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Users;

public sealed class UsersPageTests : ComponentTestBase
{
    private IUserAdminService _users = null!;

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync();
        _users = Host.Get<IUserAdminService>();
        Services.AddSingleton(_users);
        await Host.CreateAccountAsync("alice@example.com");
        await Host.CreateAccountAsync("bob@example.com");
        await Host.CreateAccountAsync("bobby@elsewhere.test");
    }

    [Fact]
    public async Task Search_ThenLock_ListsMatchesAndLocksTheUser()
    {
        var admin = await SignInAdminAsync("admin@example.com");
        var cut = Render<UsersPage>();
        cut.WaitForAssertion(() => Assert.Equal(4, Rows(cut).Count));

        cut.Find("#user-search").Input("BOB");
        await cut.InvokeAsync(() => cut.Find("#user-search-button").Click());

        cut.WaitForAssertion(() => Assert.Equal(["bob@example.com", "bobby@elsewhere.test"], Rows(cut).Select(r => r.Children[0].TextContent)));
        Assert.Contains("2 users matching \"BOB\".", cut.Find("#users-count").TextContent);

        await cut.InvokeAsync(() => cut.Find("button[aria-label='Lock bob@example.com']").Click());

        cut.WaitForAssertion(() => Assert.Equal("Locked", Row(cut, "bob@example.com").Children[2].TextContent));
        Assert.NotNull(cut.Find("button[aria-label='Unlock bob@example.com']"));
        Assert.Equal("No", Row(cut, "bobby@elsewhere.test").Children[2].TextContent);
        var listed = Assert.Single((await _users.SearchAsync(admin, new UserSearch("bob@example.com"))).Users);
        Assert.True(listed.IsLockedOut);
    }

    [Fact]
    public async Task Lock_OwnAccount_ShowsTheServicesMessage()
    {
        await SignInAdminAsync("admin@example.com");
        var cut = Render<UsersPage>();
        cut.WaitForAssertion(() => Assert.Equal(4, Rows(cut).Count));

        await cut.InvokeAsync(() => cut.Find("button[aria-label='Lock admin@example.com']").Click());

        cut.WaitForAssertion(() => Assert.Contains("You cannot lock your own account.", cut.Find("#users-error").TextContent));
        Assert.Equal("No", Row(cut, "admin@example.com").Children[2].TextContent);
    }

    [Fact]
    public async Task Render_NonAdmin_ShowsRefusalAndNoUsers()
    {
        await SignInNewUserAsync("member@example.com");

        var cut = Render<UsersPage>();

        cut.WaitForAssertion(() => Assert.Contains("Only administrators can manage users.", cut.Find("#users-refused").TextContent));
        Assert.Empty(cut.FindAll("#users-table"));
    }

    private async Task<Actor> SignInAdminAsync(string email)
    {
        var actor = (await Host.CreateAccountAsync(email)) with { IsAdmin = true };
        await _users.PromoteAsync(Actor.System, actor.UserId);
        var authorization = AddAuthorization();
        authorization.SetAuthorized(email);
        // The role as a plain claim: bUnit's SetRoles would replace the claims set here.
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, actor.UserId), new Claim(ClaimTypes.Role, AdminRole.Name));
        return actor;
    }

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<UsersPage> cut) => cut.FindAll("#users-table tbody tr");

    private static IElement Row(IRenderedComponent<UsersPage> cut, string email) =>
        Rows(cut).Single(r => r.Children[0].TextContent == email);
}
