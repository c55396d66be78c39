using System.Net;
using System.Net.Http.Headers;
using AiStudio.Core.ApiTokens;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using AiStudio.Core.Users;
using AiStudio.Tests.Accounts;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Users;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class UserAdminServiceTests(AccountHost host) : IClassFixture<AccountHost>
{
    private IUserAdminService Service => host.Get<IUserAdminService>();

    [Fact]
    public async Task Search_PartOfEmail_FiltersOrdersAndPagesOnTheServer()
    {
        var admin = await host.CreateUserAsync("pager@admins.test", isAdmin: true);
        for (var i = 1; i <= 23; i++)
        {
            await host.CreateUserAsync($"member{i:00}@paging.test");
        }

        var first = await Service.SearchAsync(admin, new UserSearch("PAGING.test", Page: 0, PageSize: 10));
        var last = await Service.SearchAsync(admin, new UserSearch("paging.test", Page: 2, PageSize: 10));

        Assert.Equal(23, first.TotalCount);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"member{i:00}@paging.test"), first.Users.Select(u => u.Email));
        Assert.Equal(["member21@paging.test", "member22@paging.test", "member23@paging.test"], last.Users.Select(u => u.Email));
        Assert.All(first.Users, u => Assert.False(u.IsAdmin));
        Assert.All(first.Users, u => Assert.NotNull(u.CreatedAt));
    }

    [Fact]
    public async Task Search_NonAdmin_RefusedWithMessage()
    {
        var member = await host.CreateUserAsync("curious@members.test");

        var refused = await Assert.ThrowsAsync<DomainException>(() => Service.SearchAsync(member, new UserSearch()));

        Assert.Equal("Only administrators can manage users.", refused.Message);
    }

    [Fact]
    public async Task LockThenUnlock_User_SignInRefusedWhileLockedAndBothAudited()
    {
        var admin = await host.CreateUserAsync("locker@admins.test", isAdmin: true);
        var target = await host.CreateUserAsync("troublemaker@members.test");

        await Service.LockAsync(admin, target.UserId);

        using (var client = host.NewClient())
        {
            var refused = await client.LogInAsync("troublemaker@members.test", AccountHost.Password);
            Assert.True(refused.RedirectsTo("Account/Lockout"), $"Got {refused.Status} {refused.Location}.");
            Assert.False(client.HasIdentityCookie);
        }

        var listed = Assert.Single((await Service.SearchAsync(admin, new UserSearch("troublemaker"))).Users);
        Assert.True(listed.IsLockedOut);

        await Service.UnlockAsync(admin, target.UserId);

        using (var client = host.NewClient())
        {
            Assert.Equal(HttpStatusCode.Redirect, (await client.LogInAsync("troublemaker@members.test", AccountHost.Password)).Status);
            Assert.True(client.HasIdentityCookie);
        }

        var audit = await AuditOfAsync(target.UserId);
        Assert.Equal([UserAuditActions.Locked, UserAuditActions.Unlocked], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal((admin.UserId, "locker@admins.test"), (e.ActorId, e.ActorName)));
        Assert.Equal(("unlocked", "locked"), (audit[0].Before, audit[0].After));
        Assert.Equal(("locked", "unlocked"), (audit[1].Before, audit[1].After));
    }

    [Fact]
    public async Task Lock_NonAdmin_RefusedAndNothingChanged()
    {
        var member = await host.CreateUserAsync("vigilante@members.test");
        var target = await host.CreateUserAsync("innocent@members.test");

        var refused = await Assert.ThrowsAsync<DomainException>(() => Service.LockAsync(member, target.UserId));

        Assert.Equal("Only administrators can manage users.", refused.Message);
        Assert.Null((await host.FindUserAsync("innocent@members.test")).LockoutEnd);
        Assert.Empty(await AuditOfAsync(target.UserId));
        await Assert.ThrowsAsync<DomainException>(() => Service.PromoteAsync(member, member.UserId));
        Assert.False(await host.IsInAdminRoleAsync("vigilante@members.test"));
    }

    [Fact]
    public async Task Lock_OwnAccount_RefusedWithMessage()
    {
        var admin = await host.CreateUserAsync("self-locker@admins.test", isAdmin: true);

        var refused = await Assert.ThrowsAsync<DomainException>(() => Service.LockAsync(admin, admin.UserId));

        Assert.Equal("You cannot lock your own account.", refused.Message);
    }

    [Fact]
    public async Task PromoteThenDemote_User_RoleFollowsAndBothAudited()
    {
        var admin = await host.CreateUserAsync("promoter@admins.test", isAdmin: true);
        var target = await host.CreateUserAsync("rising@members.test");

        await Service.PromoteAsync(admin, target.UserId);
        Assert.True(await host.IsInAdminRoleAsync("rising@members.test"));
        Assert.True(Assert.Single((await Service.SearchAsync(admin, new UserSearch("rising@"))).Users).IsAdmin);

        await Service.DemoteAsync(admin, target.UserId);
        Assert.False(await host.IsInAdminRoleAsync("rising@members.test"));

        var audit = await AuditOfAsync(target.UserId);
        Assert.Equal([UserAuditActions.Promoted, UserAuditActions.Demoted], audit.Select(e => e.Action));
        Assert.Equal(("member", "admin"), (audit[0].Before, audit[0].After));
        Assert.Equal(("admin", "member"), (audit[1].Before, audit[1].After));
        Assert.All(audit, e => Assert.Equal(admin.UserId, e.ActorId));
    }

    [Fact]
    public async Task Demote_ConfiguredAdmin_RefusedWithMessageAndStaysAdmin()
    {
        var admin = await host.CreateUserAsync("demoter@admins.test", isAdmin: true);
        var configured = await host.CreateUserAsync(AccountHost.ConfiguredAdmin, isAdmin: true);

        var refused = await Assert.ThrowsAsync<DomainException>(() => Service.DemoteAsync(admin, configured.UserId));

        Assert.Contains("Admin:Emails", refused.Message);
        Assert.True(await host.IsInAdminRoleAsync(AccountHost.ConfiguredAdmin));
        var listed = Assert.Single((await Service.SearchAsync(admin, new UserSearch(AccountHost.ConfiguredAdmin))).Users);
        Assert.True(listed.IsConfiguredAdmin);
    }

    [Fact]
    public async Task Usage_UserWithBuilds_CountsTheirBuildsRunsTokensAndCost()
    {
        var admin = await host.CreateUserAsync("auditor@admins.test", isAdmin: true);
        var builder = await host.CreateUserAsync("builder@usage.test");
        var other = await host.CreateUserAsync("bystander@usage.test");
        var commands = host.Get<IBuildCommands>();
        var mine = new[]
        {
            await commands.StartAsync(builder, new NewBuildRequest("Usage", "Invoice reminders", "Customers receive an email reminder seven days before an invoice is due.")),
            await commands.StartAsync(builder, new NewBuildRequest("Usage", "Export", "Finance needs every month's invoices as one CSV file.")),
        };
        await commands.StartAsync(other, new NewBuildRequest("Elsewhere", "Not counted", "Somebody else's build must not count for the builder."));

        var contexts = host.Get<IDbContextFactory<AiStudioDbContext>>();
        List<PhaseRun> runs = [];
        await Eventually.Until(
            async () =>
            {
                await using var db = await contexts.CreateDbContextAsync();
                runs = await db.PhaseRuns.AsNoTracking().Where(r => mine.Contains(r.BuildId)).ToListAsync();
                return runs.Count == 2 && runs.All(r => r.Status == PhaseRunStatus.AwaitingApproval);
            },
            TimeSpan.FromSeconds(30),
            "both builds' Discovery attempts should finish on the offline model");

        var usage = Assert.Single((await Service.SearchAsync(admin, new UserSearch("builder@usage.test"))).Users).Usage;

        Assert.Equal(2, usage.BuildsStarted);
        Assert.Equal(2, usage.PhaseRuns);
        Assert.True(usage.InputTokens > 0);
        Assert.Equal(runs.Sum(r => (long)r.InputTokens), usage.InputTokens);
        Assert.Equal(runs.Sum(r => (long)r.OutputTokens), usage.OutputTokens);
        Assert.Equal(runs.Sum(r => r.Cost), usage.Cost);
        var idle = Assert.Single((await Service.SearchAsync(admin, new UserSearch("auditor@admins.test"))).Users).Usage;
        Assert.Equal(UserUsage.None, idle);
    }

    [Fact]
    public async Task Promote_UserWithApiToken_TokenSeesAdminPowersAtOnceAndLosesThemOnDemotion()
    {
        var admin = await host.CreateUserAsync("granter@admins.test", isAdmin: true);
        var owner = await host.CreateUserAsync("owner@api.test");
        var reader = await host.CreateUserAsync("reader@api.test");
        var buildId = await host.Get<IBuildCommands>().StartAsync(owner, new NewBuildRequest("Private", "Secret plan", "Only the project's members may see this build."));
        var token = (await host.Get<IApiTokenService>().CreateAsync(reader, "script")).Plaintext;
        using var api = new HttpClient { BaseAddress = host.Address };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using (var before = await api.GetAsync($"api/builds/{buildId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        await Service.PromoteAsync(admin, reader.UserId);
        using (var promoted = await api.GetAsync($"api/builds/{buildId}"))
        {
            Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        }

        await Service.DemoteAsync(admin, reader.UserId);
        using var demoted = await api.GetAsync($"api/builds/{buildId}");
        Assert.Equal(HttpStatusCode.NotFound, demoted.StatusCode);
    }

    private async Task<List<Core.Audit.AuditEvent>> AuditOfAsync(string userId)
    {
        await using var db = await host.Get<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().Where(e => e.EntityType == "User" && e.EntityId == userId).OrderBy(e => e.Id).ToListAsync();
    }
}
