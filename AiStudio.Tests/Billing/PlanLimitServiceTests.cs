using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Billing;

/// <summary>The plan's model list and member limit hold in the services, whatever surface calls them.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class PlanLimitServiceTests : IAsyncLifetime
{
    private TestAppHost _host = null!;

    public async Task InitializeAsync() => _host = await TestAppHost.StartAsync(new Dictionary<string, string?>
    {
        ["Billing:DefaultPlan"] = "Free",
        ["Billing:Plans:Free:BuildsPerMonth"] = "10",
        ["Billing:Plans:Free:AllowedModels:0"] = "gpt-4o-mini",
        ["Billing:Plans:Free:MembersPerProject"] = "2",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task StartAsync_ARoleRunsAModelThePlanExcludes_RefusedWithUpgradeLinkAndNothingCreated()
    {
        var alice = await _host.CreateUserAsync("alice@example.com");

        var refused = await Assert.ThrowsAsync<PlanLimitException>(() => _host.Get<IBuildCommands>().StartAsync(alice,
            new NewBuildRequest("Billing", "Reminders", "Customers receive an email reminder before an invoice is due.")));

        Assert.Contains("aistudio-offline-1", refused.Message);
        Assert.Equal("/pricing", refused.UpgradePath);
        await using var db = await _host.CreateDbContextAsync();
        Assert.Equal(0, await db.Builds.CountAsync());
    }

    [Fact]
    public async Task AddMemberAsync_BeyondTheOwnersPlan_RefusedAndNothingChanged()
    {
        var owner = await _host.CreateUserAsync("owner@example.com");
        await _host.CreateUserAsync("second@example.com");
        await _host.CreateUserAsync("third@example.com");
        var projects = _host.Get<IProjectService>();
        var projectId = await projects.CreateAsync(owner, "Billing");
        var version = (await projects.GetAsync(owner, projectId))!.Version;
        await projects.AddMemberAsync(owner, projectId, version, "second@example.com", ProjectRole.Editor);
        version = (await projects.GetAsync(owner, projectId))!.Version;

        var refused = await Assert.ThrowsAsync<PlanLimitException>(() =>
            projects.AddMemberAsync(owner, projectId, version, "third@example.com", ProjectRole.Viewer));

        Assert.Contains("2 members per project", refused.Message);
        var details = await projects.GetAsync(owner, projectId);
        Assert.Equal(2, details!.Members.Count);
        Assert.Equal(version, details.Version);
    }
}
