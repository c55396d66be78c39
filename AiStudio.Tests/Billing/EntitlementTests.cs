using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Execution;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Billing;

/// <summary>Plans and what they allow, through the real Core services on a real database with a clock the test sets.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class EntitlementTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 22, 0, 0, TimeSpan.Zero));
    private TestAppHost _host = null!;

    /// <summary>The shipped plans (the test host does not read appsettings.json), billing off.</summary>
    public static Dictionary<string, string?> Plans() => new()
    {
        ["Billing:DefaultPlan"] = "Free",
        ["Billing:GracePeriodDays"] = "7",
        ["Billing:Plans:Free:BuildsPerMonth"] = "5",
        ["Billing:Plans:Free:AllowedModels:0"] = "aistudio-offline-1",
        ["Billing:Plans:Free:AllowedModels:1"] = "gpt-4o-mini",
        ["Billing:Plans:Free:MembersPerProject"] = "3",
        ["Billing:Plans:Pro:BuildsPerMonth"] = "100",
        ["Billing:Plans:Pro:MembersPerProject"] = "10",
        ["Billing:Plans:Pro:StripePriceId"] = "price_pro_test",
        ["Billing:Plans:Team:MembersPerProject"] = "50",
        ["Billing:Plans:Team:StripePriceId"] = "price_team_test",
    };

    public async Task InitializeAsync() => _host = await TestAppHost.StartAsync(Plans(), services =>
    {
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<IPhaseRunScheduler, RecordingPhaseRunScheduler>();
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IEntitlementService Entitlements => _host.Get<IEntitlementService>();

    [Fact]
    public async Task StartAsync_FreePlanAtItsMonthlyLimitBillingOff_FifthBuildStartsSixthIsRefusedWithWhatAnAdministratorCanDoAndCreatesNothing()
    {
        var actor = await _host.CreateUserAsync("quota@example.com");
        var commands = _host.Get<IBuildCommands>();
        for (var i = 1; i <= 5; i++)
        {
            await commands.StartAsync(actor, new NewBuildRequest("Quota", $"Build {i}", "Customers receive an email reminder before an invoice is due."));
        }

        var refused = await Assert.ThrowsAsync<PlanLimitException>(() =>
            commands.StartAsync(actor, new NewBuildRequest("Quota", "Build 6", "Customers receive an email reminder before an invoice is due.")));

        Assert.Contains("5 of the 5 builds your Free plan allows this month", refused.Message);
        Assert.Contains("an administrator can raise Billing:Plans:Free:BuildsPerMonth", refused.Message);
        Assert.Contains("wait until 1 December 2026", refused.Message);
        Assert.Null(refused.UpgradePath);
        Assert.IsAssignableFrom<DomainException>(refused);
        await using var db = await _host.CreateDbContextAsync();
        await StartedBuilds.AssertCountAsync(db, actor.UserId, 5);
        Assert.DoesNotContain(await db.Builds.Select(b => b.Title).ToListAsync(), t => t == "Build 6");
    }

    [Fact]
    public async Task StartAsync_SixBuildsStartedAtOnceWithOneLeftThisMonth_ExactlyOneStartsAndTheRestChangeNothing()
    {
        // All six pass the first check (four of five used) before any of them writes its build: the race the
        // second check, inside the transaction that writes the build, exists for.
        var firstChecks = Rendezvous.AtFirstQuotaCheck(6);
        await using var host = await TestAppHost.StartAsync(Plans(), services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            services.AddSingleton<IPhaseRunScheduler, RecordingPhaseRunScheduler>();
            services.AddSingleton<IInterceptor>(firstChecks);
        });
        var actor = await host.CreateUserAsync("race@example.com");
        var commands = host.Get<IBuildCommands>();
        for (var i = 1; i <= 4; i++)
        {
            await commands.StartAsync(actor, new NewBuildRequest("Race", $"Build {i}", "Customers receive an email reminder before an invoice is due."));
        }

        firstChecks.Arm();
        var outcomes = await Task.WhenAll(Enumerable.Range(1, 6).Select(i => Task.Run(async () =>
        {
            try
            {
                await commands.StartAsync(actor, new NewBuildRequest("Race", $"At once {i}", "Customers receive an email reminder before an invoice is due."));
                return null;
            }
            catch (PlanLimitException e)
            {
                return e;
            }
        })));

        Assert.Equal(6, firstChecks.Met);
        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.OfType<PlanLimitException>(), e => Assert.Contains("5 of the 5 builds", e.Message));
        await using var db = await host.CreateDbContextAsync();
        await StartedBuilds.AssertCountAsync(db, actor.UserId, 5);
    }

    [Fact]
    public async Task EnsureCanStartBuildAsync_NewCalendarMonth_CountStartsAgain()
    {
        var actor = await _host.CreateUserAsync("newmonth@example.com");
        var commands = _host.Get<IBuildCommands>();
        for (var i = 1; i <= 5; i++)
        {
            await commands.StartAsync(actor, new NewBuildRequest("Quota", $"November {i}", "Customers receive an email reminder before an invoice is due."));
        }

        await Assert.ThrowsAsync<PlanLimitException>(() => Entitlements.EnsureCanStartBuildAsync(actor));

        _clock.Now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(0, await Entitlements.CountBuildsThisMonthAsync(actor.UserId));
        await Entitlements.EnsureCanStartBuildAsync(actor);
    }

    [Fact]
    public async Task GetStandingAsync_CancelledAtPeriodEnd_KeepsThePaidPlanUntilThePeriodEnds()
    {
        var actor = await _host.CreateUserAsync("leaving@example.com");
        var periodEnd = _clock.Now.AddDays(3);
        await SeedAccountAsync(actor, new SubscriptionSnapshot("sub_leaving", "Pro", SubscriptionStatus.Active, periodEnd, CancelAtPeriodEnd: true));

        var before = await Entitlements.GetStandingAsync(actor.UserId);
        Assert.Equal("Pro", before.Plan.Name);
        Assert.True(before.IsPaid);
        Assert.Equal(periodEnd, before.KeepsPlanUntil);

        _clock.Now = periodEnd.AddSeconds(-1);
        Assert.Equal("Pro", (await Entitlements.GetStandingAsync(actor.UserId)).Plan.Name);

        _clock.Now = periodEnd;
        var after = await Entitlements.GetStandingAsync(actor.UserId);
        Assert.Equal("Free", after.Plan.Name);
        Assert.False(after.IsPaid);
    }

    [Fact]
    public async Task GetStandingAsync_BillingOff_EveryoneIsOnTheDefaultPlanAndNothingCanBeBought()
    {
        var actor = await _host.CreateUserAsync("nobilling@example.com");
        var billing = _host.Get<IBillingService>();

        Assert.False(billing.IsEnabled);
        Assert.Equal("Free", billing.DefaultPlan.Name);
        Assert.Equal(["Free", "Pro", "Team"], billing.Plans.Select(p => p.Name));
        var standing = await Entitlements.GetStandingAsync(actor.UserId);
        Assert.Equal("Free", standing.Plan.Name);
        Assert.Equal(5, standing.Plan.BuildsPerMonth);
        var overview = await billing.GetOverviewAsync(actor);
        Assert.Equal("0 of 5 builds", overview.UsageText);
        Assert.False(overview.CanManageSubscription);
        await Assert.ThrowsAsync<BillingNotConfiguredException>(() => billing.StartCheckoutAsync(actor, "Pro", "http://localhost/"));
        await Assert.ThrowsAsync<BillingNotConfiguredException>(() => billing.OpenCustomerPortalAsync(actor, "http://localhost/billing"));
    }

    [Fact]
    public async Task EnsureModelAllowedAsync_FreePlan_AllowsItsModelsOnlyAndPaidPlanAllowsAll()
    {
        var free = await _host.CreateUserAsync("freemodels@example.com");
        await Entitlements.EnsureModelAllowedAsync(free, "aistudio-offline-1");
        await Entitlements.EnsureModelAllowedAsync(free, "GPT-4o-mini");
        var refused = await Assert.ThrowsAsync<PlanLimitException>(() => Entitlements.EnsureModelAllowedAsync(free, "gpt-4o"));
        Assert.Contains("does not include the model gpt-4o", refused.Message);

        var pro = await _host.CreateUserAsync("promodels@example.com");
        await SeedAccountAsync(pro, new SubscriptionSnapshot("sub_models", "Pro", SubscriptionStatus.Active, _clock.Now.AddDays(30), false));
        await Entitlements.EnsureModelAllowedAsync(pro, "gpt-4o");
    }

    [Fact]
    public async Task EnsureProjectMembersAllowedAsync_FreePlan_AllowsThreeMembersNotFour()
    {
        var owner = await _host.CreateUserAsync("owner@example.com");

        await Entitlements.EnsureProjectMembersAllowedAsync(owner.UserId, 3);
        await Assert.ThrowsAsync<PlanLimitException>(() => Entitlements.EnsureProjectMembersAllowedAsync(owner.UserId, 4));
    }

    private async Task SeedAccountAsync(Actor actor, SubscriptionSnapshot subscription)
    {
        await using var db = await _host.CreateDbContextAsync();
        var account = BillingAccount.Open(actor.UserId, _clock.Now);
        account.AttachCustomer($"cus_{actor.UserId[..8]}", _clock.Now);
        account.Apply(subscription, _clock.Now, _clock.Now);
        db.BillingAccounts.Add(account);
        await db.SaveChangesAsync();
    }
}
