using System.Security.Claims;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Users;
using AiStudio.Tests.Support;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Users;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class AdminRulesTests
{
    private static readonly Dictionary<string, string?> BossIsAdmin = new() { ["Admin:Emails:0"] = "Boss@Example.com" };

    [Theory]
    [InlineData("boss@example.com", null, true)]
    [InlineData("someone@example.com", AdminRole.Name, true)]
    [InlineData("someone@example.com", "Viewer", false)]
    [InlineData("someone@example.com", null, false)]
    public void TryFrom_ConfiguredEmailOrAdminRoleClaim_DecidesIsAdmin(string name, string? role, bool expected)
    {
        var actors = new ActorFactory(new ConfigurationBuilder().AddInMemoryCollection(BossIsAdmin).Build());
        List<Claim> claims = [new(ClaimTypes.NameIdentifier, "user-1"), new(ClaimTypes.Name, name)];
        if (role is not null)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }

        var actor = actors.TryFrom(new ClaimsPrincipal(new ClaimsIdentity(claims, "Test")));

        Assert.Equal(new Actor("user-1", name, expected), actor);
    }

    [Fact]
    public async Task StartUp_ExistingAccountListedInAdminEmails_GetsTheAdminRole()
    {
        var folder = TestAppHost.NewDataDirectory();
        try
        {
            await using (var first = await TestAppHost.StartAsync(folder, settings: null))
            {
                await first.CreateAccountAsync("boss@example.com");
            }

            await using var second = await TestAppHost.StartAsync(folder, BossIsAdmin);
            await using var scope = second.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();

            Assert.True(await users.IsInRoleAsync((await users.FindByEmailAsync("boss@example.com"))!, AdminRole.Name));
        }
        finally
        {
            TestAppHost.TryDelete(folder);
        }
    }

    [Fact]
    public async Task Demote_YourselfAsTheLastAdmin_RefusedWithMessageAndStillAdmin()
    {
        await using var app = await TestAppHost.StartAsync();
        var service = app.Get<IUserAdminService>();
        var only = await app.CreateAccountAsync("only@example.com");
        await service.PromoteAsync(Actor.System, only.UserId);
        var self = only with { IsAdmin = true };

        var refused = await Assert.ThrowsAsync<DomainException>(() => service.DemoteAsync(self, self.UserId));

        Assert.Equal("You are the last administrator. Make someone else an administrator before you remove yourself.", refused.Message);
        Assert.True(Assert.Single((await service.SearchAsync(self, new UserSearch("only@"))).Users).IsAdmin);
    }

    [Fact]
    public async Task Demote_YourselfWithAnotherAdminLeft_Succeeds()
    {
        await using var app = await TestAppHost.StartAsync();
        var service = app.Get<IUserAdminService>();
        var first = (await app.CreateAccountAsync("first@example.com")) with { IsAdmin = true };
        var second = await app.CreateAccountAsync("second@example.com");
        await service.PromoteAsync(Actor.System, first.UserId);
        await service.PromoteAsync(first, second.UserId);

        await service.DemoteAsync(first, first.UserId);

        var listed = (await service.SearchAsync(Actor.System, new UserSearch("@example.com"))).Users.ToDictionary(u => u.Email, u => u.IsAdmin);
        Assert.False(listed["first@example.com"]);
        Assert.True(listed["second@example.com"]);
    }
}
