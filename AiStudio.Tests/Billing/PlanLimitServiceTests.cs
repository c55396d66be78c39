using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Execution;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Billing;

/// <summary>The plan's model list and member limit hold in the services, whatever surface calls them.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class PlanLimitServiceTests : IAsyncLifetime
{
    private TestAppHost _host = null!;

    // Billing is off (no Stripe key): nothing can be bought, so refusals say what an administrator can do instead.
    public async Task InitializeAsync() => _host = await TestAppHost.StartAsync(new Dictionary<string, string?>
    {
        ["Billing:DefaultPlan"] = "Free",
        ["Billing:Plans:Free:BuildsPerMonth"] = "10",
        ["Billing:Plans:Free:AllowedModels:0"] = "gpt-4o-mini",
        ["Billing:Plans:Free:MembersPerProject"] = "2",
        ["Billing:Plans:Pro:StripePriceId"] = "price_pro_test",
    }, services => services.AddSingleton<IPhaseRunScheduler, RecordingPhaseRunScheduler>());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task StartAsync_ARoleRunsAModelThePlanExcludesAndBillingIsOff_RefusedWithWhatAnAdministratorCanDoAndNothingCreated()
    {
        var alice = await _host.CreateUserAsync("alice@example.com");

        var refused = await Assert.ThrowsAsync<PlanLimitException>(() => _host.Get<IBuildCommands>().StartAsync(alice,
            new NewBuildRequest("Billing", "Reminders", "Customers receive an email reminder before an invoice is due.")));

        Assert.Contains("aistudio-offline-1", refused.Message);
        Assert.Null(refused.UpgradePath);
        Assert.Contains("an administrator can add aistudio-offline-1 to Billing:Plans:Free:AllowedModels", refused.Message);
        Assert.DoesNotContain("pricing", refused.Message);
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
        Assert.Null(refused.UpgradePath);
        Assert.Contains("an administrator can raise Billing:Plans:Free:MembersPerProject", refused.Message);
        Assert.DoesNotContain("pricing", refused.Message);
        var details = await projects.GetAsync(owner, projectId);
        Assert.Equal(2, details!.Members.Count);
        Assert.Equal(version, details.Version);
    }

    [Fact]
    public async Task ResumeAsync_PlanDowngradedWhileTheBuildWasPaused_RefusedAndTheBuildStaysOnHold()
    {
        var alice = await ProUserAsync("downgraded@example.com");
        var commands = _host.Get<IBuildCommands>();
        var buildId = await commands.StartAsync(alice, new NewBuildRequest("Billing", "Reminders", "Customers receive an email reminder before an invoice is due."));
        await commands.PauseAsync(alice, buildId, (await _host.Get<IBuildQueries>().GetAsync(alice, buildId))!.Version);
        await SubscriptionEndsAsync(alice);

        var paused = (await _host.Get<IBuildQueries>().GetAsync(alice, buildId))!;
        var refused = await Assert.ThrowsAsync<PlanLimitException>(() => commands.ResumeAsync(alice, buildId, paused.Version));

        Assert.Contains("aistudio-offline-1", refused.Message);
        var after = (await _host.Get<IBuildQueries>().GetAsync(alice, buildId))!;
        Assert.Equal(BuildState.OnHold, after.State);
        Assert.Equal(paused.Version, after.Version);
    }

    [Fact]
    public async Task RetryAsync_PlanDowngradedAfterThePhaseFailed_RefusedAndTheBuildStaysFailed()
    {
        var bob = await ProUserAsync("retrydowngraded@example.com");
        var commands = _host.Get<IBuildCommands>();
        var buildId = await commands.StartAsync(bob, new NewBuildRequest("Billing", "Reminders", "Customers receive an email reminder before an invoice is due."));
        await using (var db = await _host.CreateDbContextAsync())
        {
            // The model failed the attempt after its retries, as the worker records it.
            var build = await db.Builds.Include(b => b.Runs).SingleAsync(b => b.Id == buildId);
            var run = build.Runs.Single();
            var token = Guid.NewGuid();
            run.Claim(token, DateTimeOffset.UtcNow);
            build.Fail(run, token, "The model server did not answer.", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }

        await SubscriptionEndsAsync(bob);

        var failed = (await _host.Get<IBuildQueries>().GetAsync(bob, buildId))!;
        Assert.Equal(BuildState.Failed, failed.State);
        var refused = await Assert.ThrowsAsync<PlanLimitException>(() => commands.RetryAsync(bob, buildId, failed.Version));

        Assert.Contains("aistudio-offline-1", refused.Message);
        var after = (await _host.Get<IBuildQueries>().GetAsync(bob, buildId))!;
        Assert.Equal(BuildState.Failed, after.State);
        Assert.Equal(failed.Version, after.Version);
    }

    public static TheoryData<string> VerdictsThatCallAModel => ["reject", "send back", "approve"];

    [Theory]
    [MemberData(nameof(VerdictsThatCallAModel))]
    public async Task DecideAsync_PlanDowngradedWhilePlanningAwaitedApproval_RefusedAndNothingChanged(string kind)
    {
        var carol = await ProUserAsync($"{kind.Replace(" ", "", StringComparison.Ordinal)}@example.com");
        var (buildId, runId) = await BuildAwaitingApprovalAsync(carol, Phase.Planning);
        await SubscriptionEndsAsync(carol);
        var queries = _host.Get<IBuildQueries>();
        var waiting = (await queries.GetAsync(carol, buildId))!;
        Verdict verdict = kind switch
        {
            "reject" => new Verdict.Reject("Say which invoices get a reminder."),
            "send back" => new Verdict.SendBack(Phase.Discovery, "The requirements miss the opt-out."),
            _ => new Verdict.Approve(),
        };

        var refused = await Assert.ThrowsAsync<PlanLimitException>(() =>
            _host.Get<IBuildCommands>().DecideAsync(carol, buildId, runId, waiting.Version, verdict));

        Assert.Contains("aistudio-offline-1", refused.Message);
        var after = (await queries.GetAsync(carol, buildId))!;
        Assert.Equal((BuildState.Planning, waiting.Version), (after.State, after.Version));
    }

    [Fact]
    public async Task DecideAsync_PlanDowngradedWhileDeploymentAwaitedApproval_ApprovingCallsNoModelAndCompletesTheBuild()
    {
        var dave = await ProUserAsync("lastphase@example.com");
        var (buildId, runId) = await BuildAwaitingApprovalAsync(dave, Phase.Deployment);
        await SubscriptionEndsAsync(dave);
        var queries = _host.Get<IBuildQueries>();

        await _host.Get<IBuildCommands>().DecideAsync(dave, buildId, runId, (await queries.GetAsync(dave, buildId))!.Version, new Verdict.Approve());

        Assert.Equal(BuildState.Complete, (await queries.GetAsync(dave, buildId))!.State);
    }

    /// <summary>A build of the user's, carried by the worker's steps to <paramref name="phase"/>, whose attempt awaits approval.</summary>
    private async Task<(Guid BuildId, Guid RunId)> BuildAwaitingApprovalAsync(Actor user, Phase phase)
    {
        var projectId = await _host.Get<IProjectService>().CreateAsync(user, $"Billing {phase}");
        var build = Build.Create(projectId, "Reminders", "Customers receive an email reminder before an invoice is due.", user.UserId, TestBuilds.Now);
        TestBuilds.AdvanceTo(build, phase);
        var run = TestBuilds.CompleteCurrent(build);
        await using var db = await _host.CreateDbContextAsync();
        db.Builds.Add(build);
        await db.SaveChangesAsync();
        return (build.Id, run.Id);
    }

    private async Task<Actor> ProUserAsync(string email)
    {
        var user = await _host.CreateUserAsync(email);
        var now = DateTimeOffset.UtcNow;
        await using var db = await _host.CreateDbContextAsync();
        var account = BillingAccount.Open(user.UserId, now);
        account.AttachCustomer($"cus_{user.UserId[..8]}", now);
        account.Apply(new SubscriptionSnapshot($"sub_{user.UserId[..8]}", "Pro", SubscriptionStatus.Active, now.AddDays(30), false), now, now);
        db.BillingAccounts.Add(account);
        await db.SaveChangesAsync();
        return user;
    }

    // The subscription ends: back on Free, which excludes the offline model the roles run.
    private async Task SubscriptionEndsAsync(Actor user)
    {
        await using var db = await _host.CreateDbContextAsync();
        await db.BillingAccounts.Where(a => a.UserId == user.UserId).ExecuteUpdateAsync(a => a.SetProperty(x => x.Status, SubscriptionStatus.Canceled));
    }
}
