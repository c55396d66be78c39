using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.Billing;

/// <summary>The plan a user has now, why, and until when if that is about to change.</summary>
public sealed record PlanStanding(Plan Plan, bool IsPaid, string Reason, DateTimeOffset? KeepsPlanUntil);

/// <summary>What a user's plan lets them do. Services call these before they act; pages only show the answers.</summary>
public interface IEntitlementService
{
    Task<PlanStanding> GetStandingAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Builds the user started in the current calendar month (UTC).</summary>
    Task<int> CountBuildsThisMonthAsync(string userId, CancellationToken cancellationToken = default);

    /// <exception cref="PlanLimitException">The plan's builds for this month are used up.</exception>
    Task EnsureCanStartBuildAsync(Actor actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// The same limit, checked again inside the transaction that is about to write a new build, after the caller took the
    /// starter's row (<see cref="Identity.UserRowLock"/>): builds one person starts at the same moment then count one after
    /// another on every database, READ COMMITTED included. The caller rolls back when this throws.
    /// </summary>
    /// <exception cref="PlanLimitException">The month's builds are used up.</exception>
    Task EnsureRoomForNewBuildAsync(AiStudioDbContext db, Actor actor, CancellationToken cancellationToken = default);

    /// <exception cref="PlanLimitException">The plan does not include the model.</exception>
    Task EnsureModelAllowedAsync(Actor actor, string modelId, CancellationToken cancellationToken = default);

    /// <exception cref="PlanLimitException">A project of the owner's may not have that many members.</exception>
    Task EnsureProjectMembersAllowedAsync(string ownerUserId, int memberCount, CancellationToken cancellationToken = default);
}

internal sealed class EntitlementService(
    IDbContextFactory<AiStudioDbContext> contexts,
    PlanCatalog plans,
    IOptions<BillingOptions> options,
    TimeProvider clock) : IEntitlementService
{
    public async Task<PlanStanding> GetStandingAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var account = await db.BillingAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        return EffectivePlans.Resolve(account, plans, clock.GetUtcNow(), TimeSpan.FromDays(options.Value.GracePeriodDays));
    }

    public async Task<int> CountBuildsThisMonthAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await CountBuildsThisMonthAsync(db, userId, cancellationToken);
    }

    public async Task EnsureCanStartBuildAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        if (await MonthlyLimitOfAsync(actor, cancellationToken) is not var (plan, limit))
        {
            return;
        }

        var started = await CountBuildsThisMonthAsync(actor.UserId, cancellationToken);
        if (started >= limit)
        {
            throw QuotaUsedUp(plan, started, limit);
        }
    }

    public async Task EnsureRoomForNewBuildAsync(AiStudioDbContext db, Actor actor, CancellationToken cancellationToken = default)
    {
        if (await MonthlyLimitOfAsync(actor, cancellationToken) is not var (plan, limit))
        {
            return;
        }

        var started = await CountBuildsThisMonthAsync(db, actor.UserId, cancellationToken);
        if (started >= limit)
        {
            throw QuotaUsedUp(plan, started, limit);
        }
    }

    private async Task<(Plan Plan, int Limit)?> MonthlyLimitOfAsync(Actor actor, CancellationToken cancellationToken)
    {
        if (actor == Actor.System)
        {
            return null;
        }

        var standing = await GetStandingAsync(actor.UserId, cancellationToken);
        return standing.Plan.BuildsPerMonth is { } limit ? (standing.Plan, limit) : null;
    }

    private async Task<int> CountBuildsThisMonthAsync(AiStudioDbContext db, string userId, CancellationToken cancellationToken)
    {
        var (start, end) = CurrentMonth();
        return await db.Builds.CountAsync(b => b.CreatedBy == userId && b.CreatedAt >= start && b.CreatedAt < end, cancellationToken);
    }

    private PlanLimitException QuotaUsedUp(Plan plan, int started, int limit)
    {
        var (_, nextMonth) = CurrentMonth();
        return Refusal(
            $"You have started {started} of the {limit} builds your {plan.DisplayName} plan allows this month.",
            "to start more",
            $" Or wait until {nextMonth:d MMMM yyyy}, when the count starts again.",
            $"raise Billing:Plans:{plan.Name}:BuildsPerMonth");
    }

    public async Task EnsureModelAllowedAsync(Actor actor, string modelId, CancellationToken cancellationToken = default)
    {
        if (actor == Actor.System)
        {
            return;
        }

        var standing = await GetStandingAsync(actor.UserId, cancellationToken);
        if (!standing.Plan.AllowsModel(modelId))
        {
            throw Refusal(
                $"Your {standing.Plan.DisplayName} plan does not include the model {modelId}; it includes {standing.Plan.ModelsText}.",
                "to use it",
                "",
                $"add {modelId} to Billing:Plans:{standing.Plan.Name}:AllowedModels, or give the roles a model the plan includes");
        }
    }

    public async Task EnsureProjectMembersAllowedAsync(string ownerUserId, int memberCount, CancellationToken cancellationToken = default)
    {
        var standing = await GetStandingAsync(ownerUserId, cancellationToken);
        if (standing.Plan.MembersPerProject is { } limit && memberCount > limit)
        {
            throw Refusal(
                $"The project owner's {standing.Plan.DisplayName} plan allows {limit} members per project.",
                "for more",
                "",
                $"raise Billing:Plans:{standing.Plan.Name}:MembersPerProject");
        }
    }

    // Only an installation that sells plans sends people to the pricing page; elsewhere nothing there can be bought.
    private PlanLimitException Refusal(string why, string upgradeFor, string alternative, string administratorFix) =>
        options.Value.Stripe.IsConfigured && plans.Plans.Any(p => p.IsForSale)
            ? new PlanLimitException($"{why} Upgrade on the pricing page {upgradeFor}.{alternative}", PlanLimitException.PricingPath)
            : new PlanLimitException($"{why} Plans are not sold on this installation: an administrator can {administratorFix} in the configuration.{alternative}", upgradePath: null);

    private (DateTimeOffset Start, DateTimeOffset End) CurrentMonth()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var start = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return (start, start.AddMonths(1));
    }
}

/// <summary>The one rule that turns a billing account into the plan a user has now.</summary>
public static class EffectivePlans
{
    public static PlanStanding Resolve(BillingAccount? account, PlanCatalog plans, DateTimeOffset now, TimeSpan gracePeriod)
    {
        var fallback = plans.Default;
        if (account is null || account.Status == SubscriptionStatus.None)
        {
            return new(fallback, false, "No subscription", null);
        }

        if (plans.Find(account.PlanName) is not { } paid)
        {
            return new(fallback, false, "The subscription's price is not one of this installation's plans", null);
        }

        switch (account.Status)
        {
            case SubscriptionStatus.Active or SubscriptionStatus.Trialing when account.CancelAtPeriodEnd && account.CurrentPeriodEnd is { } end:
                return now < end
                    ? new(paid, true, $"Cancelled: the {paid.DisplayName} plan stays until the paid period ends", end)
                    : new(fallback, false, "Cancelled, and the paid period has ended", null);

            case SubscriptionStatus.Active or SubscriptionStatus.Trialing:
                return new(paid, true, account.Status.Describe(), null);

            case SubscriptionStatus.PastDue:
                var graceEnds = (account.PastDueSince ?? now) + gracePeriod;
                return now < graceEnds
                    ? new(paid, true, $"Payment failed: the {paid.DisplayName} plan stays during the grace period while Stripe retries", graceEnds)
                    : new(fallback, false, "Payment failed and the grace period has ended", null);

            default:
                return new(fallback, false, $"The subscription is {account.Status.Describe().ToLowerInvariant()}", null);
        }
    }
}
