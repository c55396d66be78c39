using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Stripe;
using CheckoutSessionCreateOptions = Stripe.Checkout.SessionCreateOptions;
using CheckoutSessionListOptions = Stripe.Checkout.SessionListOptions;
using CheckoutSessionLineItemOptions = Stripe.Checkout.SessionLineItemOptions;
using CheckoutSessionSubscriptionDataOptions = Stripe.Checkout.SessionSubscriptionDataOptions;
using PortalSessionCreateOptions = Stripe.BillingPortal.SessionCreateOptions;

namespace AiStudio.Core.Billing;

public sealed record SubscriptionView(
    string? PlanName, SubscriptionStatus Status, DateTimeOffset? CurrentPeriodEnd, bool CancelAtPeriodEnd, DateTimeOffset? PastDueSince);

/// <summary>Everything the billing page shows for one user.</summary>
public sealed record BillingOverview(
    bool BillingEnabled,
    PlanStanding Standing,
    SubscriptionView? Subscription,
    int BuildsThisMonth,
    bool CanManageSubscription,
    IReadOnlyList<SubscriptionView>? LiveSubscriptions = null)
{
    /// <summary>More than one subscription bills the customer (two checkouts both paid): they pay twice until one is cancelled.</summary>
    public bool PaysTwice => LiveSubscriptions is { Count: > 1 };

    /// <summary>
    /// The end of the paid period, and what to call it, only while the subscription still bills: an ended subscription's
    /// period end is a date that no longer means anything (an immediate cancellation ends it at once).
    /// </summary>
    public (string Label, DateTimeOffset Date)? PeriodEnd => Subscription is { CurrentPeriodEnd: { } end } subscription && subscription.Status.IsLive()
        ? (subscription.CancelAtPeriodEnd ? "Paid period ends" : "Next invoice", end)
        : null;

    /// <summary>"3 of 5 builds", or "3 builds (unlimited)".</summary>
    public string UsageText => Standing.Plan.BuildsPerMonth is { } limit
        ? $"{BuildsThisMonth} of {limit} builds"
        : $"{BuildsThisMonth} {(BuildsThisMonth == 1 ? "build" : "builds")} (unlimited)";

    /// <summary>The paid plan is on and its subscription is in good standing (what the return page waits for).</summary>
    public bool IsActive => Standing.IsPaid && Subscription?.Status is SubscriptionStatus.Active or SubscriptionStatus.Trialing;
}

/// <summary>Plans for sale, Stripe Checkout to buy one, the customer portal to manage it.</summary>
public interface IBillingService
{
    /// <summary>False without a Stripe secret key: everyone is on the default plan and nothing can be bought.</summary>
    bool IsEnabled { get; }

    IReadOnlyList<Plan> Plans { get; }

    Plan DefaultPlan { get; }

    Task<BillingOverview> GetOverviewAsync(Actor actor, CancellationToken cancellationToken = default);

    /// <summary>Makes the user's Stripe customer (once) and a Checkout Session for the plan.</summary>
    /// <param name="appBaseUrl">The app's absolute base address, for Stripe's return links, e.g. https://studio.example.com/.</param>
    /// <returns>The Checkout page's address to send the browser to.</returns>
    Task<string> StartCheckoutAsync(Actor actor, string planName, string appBaseUrl, CancellationToken cancellationToken = default);

    /// <returns>The address of a Stripe customer-portal session for the user.</returns>
    Task<string> OpenCustomerPortalAsync(Actor actor, string returnUrl, CancellationToken cancellationToken = default);
}

internal sealed class BillingService(
    IDbContextFactory<AiStudioDbContext> contexts,
    PlanCatalog plans,
    IEntitlementService entitlements,
    StripeGateway stripe,
    TimeProvider clock,
    ILogger<BillingService> logger) : IBillingService
{
    public const string UserIdKey = "user_id";
    public const string PlanKey = "plan";

    public bool IsEnabled => stripe.IsEnabled;

    public IReadOnlyList<Plan> Plans => plans.Plans;

    public Plan DefaultPlan => plans.Default;

    public async Task<BillingOverview> GetOverviewAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        BillingAccount? account;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            account = await db.BillingAccounts.AsNoTracking().Include(a => a.Subscriptions).SingleOrDefaultAsync(a => a.UserId == actor.UserId, cancellationToken);
        }

        var standing = await entitlements.GetStandingAsync(actor.UserId, cancellationToken);
        var builds = await entitlements.CountBuildsThisMonthAsync(actor.UserId, cancellationToken);
        var subscription = account is null || account.Status == SubscriptionStatus.None
            ? null
            : new SubscriptionView(account.PlanName, account.Status, account.CurrentPeriodEnd, account.CancelAtPeriodEnd, account.PastDueSince);
        var live = account?.LiveSubscriptions.Select(s => new SubscriptionView(s.PlanName, s.Status, s.CurrentPeriodEnd, s.CancelAtPeriodEnd, s.PastDueSince)).ToList();
        return new BillingOverview(IsEnabled, standing, subscription, builds, IsEnabled && account?.StripeCustomerId is not null, live);
    }

    public async Task<string> StartCheckoutAsync(Actor actor, string planName, string appBaseUrl, CancellationToken cancellationToken = default)
    {
        // The name is echoed only when it is a plausible one: never a megabyte, never control characters.
        var plan = plans.Find(planName) ?? throw new DomainException(TextInput.Problem("Plan", planName, 100) is null
            ? $"There is no plan called \"{planName!.Trim()}\"."
            : "There is no such plan; choose one on the pricing page.");
        var client = stripe.Client;
        if (!plan.IsForSale)
        {
            throw new DomainException($"The {plan.DisplayName} plan is not sold through Stripe on this installation.");
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var account = await db.BillingAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == actor.UserId, cancellationToken);
            if (account is not null && account.Status.IsLive())
            {
                var current = plans.Find(account.PlanName);
                throw new DomainException(
                    $"You already have {(current is null ? "a subscription" : $"the {current.DisplayName} plan")}. Change or cancel it with \"Manage subscription\" on the Billing page.");
            }
        }

        var customerId = await EnsureCustomerAsync(client, actor, cancellationToken);

        // The webhook that makes a paid checkout live may not have arrived yet: ask Stripe whether the customer already pays.
        var subscriptions = await CallStripeAsync(
            () => client.V1.Subscriptions.ListAsync(new SubscriptionListOptions { Customer = customerId, Status = "all", Limit = 100 }, cancellationToken: cancellationToken),
            "list the customer's subscriptions");
        if (subscriptions.Data.FirstOrDefault(s => SubscriptionStatuses.FromStripe(s.Status).IsLive()) is { } live)
        {
            var current = plans.FindByPriceId(live.Items?.Data.Select(i => i.Price?.Id).FirstOrDefault(id => id is not null));
            throw new DomainException(
                $"You already have {(current is null ? "a subscription" : $"the {current.DisplayName} plan")} (Stripe may take a moment to confirm it here). " +
                "Change or cancel it with \"Manage subscription\" on the Billing page.");
        }

        // One open checkout per customer, else paying in two tabs buys two subscriptions: the same plan's is reused,
        // another plan's is expired (Stripe refuses to expire one that was just paid, and so does this).
        var open = await CallStripeAsync(
            () => client.V1.Checkout.Sessions.ListAsync(new CheckoutSessionListOptions { Customer = customerId, Status = "open", Limit = 100 }, cancellationToken: cancellationToken),
            "list the customer's open Checkout Sessions");
        foreach (var earlier in open.Data)
        {
            if (earlier.Metadata?.GetValueOrDefault(PlanKey) == plan.Name && earlier.Url is { } earlierUrl)
            {
                logger.LogInformation("Checkout Session {SessionId} of user {UserId} for plan {Plan} is still open and is reused", earlier.Id, actor.UserId, plan.Name);
                return earlierUrl;
            }

            await ExpireAsync(client, earlier, actor, cancellationToken);
        }

        var baseUrl = appBaseUrl.TrimEnd('/') + "/";
        var metadata = new Dictionary<string, string> { [UserIdKey] = actor.UserId, [PlanKey] = plan.Name };
        var options = new CheckoutSessionCreateOptions
        {
            Mode = "subscription",
            Customer = customerId,
            ClientReferenceId = actor.UserId,
            LineItems = [new CheckoutSessionLineItemOptions { Price = plan.StripePriceId, Quantity = 1 }],
            Metadata = metadata,
            SubscriptionData = new CheckoutSessionSubscriptionDataOptions { Metadata = new Dictionary<string, string>(metadata) },
            // Stripe fills in {CHECKOUT_SESSION_ID} itself.
            SuccessUrl = baseUrl + "billing/return?session_id={CHECKOUT_SESSION_ID}",
            CancelUrl = baseUrl + "pricing",
        };

        var session = await CallStripeAsync(() => client.V1.Checkout.Sessions.CreateAsync(options, cancellationToken: cancellationToken), "create a Checkout Session");
        logger.LogInformation("Checkout Session {SessionId} created for user {UserId}, plan {Plan}", session.Id, actor.UserId, plan.Name);
        return session.Url;
    }

    private async Task ExpireAsync(StripeClient client, Stripe.Checkout.Session earlier, Actor actor, CancellationToken cancellationToken)
    {
        try
        {
            await client.V1.Checkout.Sessions.ExpireAsync(earlier.Id, cancellationToken: cancellationToken);
            logger.LogInformation("Checkout Session {SessionId} of user {UserId} expired: a checkout for another plan replaces it", earlier.Id, actor.UserId);
        }
        catch (StripeException ex) when (ex.HttpStatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            // It is no longer open: most likely the customer paid in it a moment ago.
            logger.LogWarning("Checkout Session {SessionId} of user {UserId} could not be expired: {Message}", earlier.Id, actor.UserId, ex.Message);
            throw new DomainException("Your earlier checkout has just been completed or closed, so no new one was started. Look at the Billing page in a minute.");
        }
        catch (Exception ex) when (ex is StripeException or HttpRequestException)
        {
            logger.LogError("Stripe could not expire Checkout Session {SessionId}: {Message}", earlier.Id, ex.Message);
            throw new BillingUnavailableException();
        }
    }

    public async Task<string> OpenCustomerPortalAsync(Actor actor, string returnUrl, CancellationToken cancellationToken = default)
    {
        var client = stripe.Client;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var customerId = await db.BillingAccounts.Where(a => a.UserId == actor.UserId).Select(a => a.StripeCustomerId).SingleOrDefaultAsync(cancellationToken)
            ?? throw new DomainException("You have no subscription to manage yet: choose a plan on the pricing page first.");

        var session = await CallStripeAsync(
            () => client.V1.BillingPortal.Sessions.CreateAsync(new PortalSessionCreateOptions { Customer = customerId, ReturnUrl = returnUrl }, cancellationToken: cancellationToken),
            "create a customer-portal session");
        return session.Url;
    }

    /// <summary>
    /// The user's Stripe customer, made the first time and reused after. The idempotency key makes Stripe answer
    /// two simultaneous first checkouts with one customer; the primary key on the user id keeps one row.
    /// </summary>
    private async Task<string> EnsureCustomerAsync(StripeClient client, Actor actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var account = await db.BillingAccounts.SingleOrDefaultAsync(a => a.UserId == actor.UserId, cancellationToken);
        if (account?.StripeCustomerId is { } existing)
        {
            return existing;
        }

        var options = new CustomerCreateOptions { Metadata = new Dictionary<string, string> { [UserIdKey] = actor.UserId } };
        if (actor.DisplayName.Contains('@'))
        {
            options.Email = actor.DisplayName;
        }

        var customer = await CallStripeAsync(
            () => client.V1.Customers.CreateAsync(options, new RequestOptions { IdempotencyKey = $"aistudio-customer-{actor.UserId}" }, cancellationToken),
            "create a customer");

        var now = clock.GetUtcNow();
        if (account is null)
        {
            account = BillingAccount.Open(actor.UserId, now);
            db.BillingAccounts.Add(account);
        }

        account.AttachCustomer(customer.Id, now);
        db.AuditEvents.Add(AuditEvent.Create(now, actor.UserId, actor.DisplayName, BillingAuditActions.CustomerCreated, BillingAuditActions.EntityType,
            actor.UserId, after: customer.Id, detail: "Stripe customer made for checkout"));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A simultaneous checkout stored the (same, thanks to the idempotency key) customer first.
            await using var again = await contexts.CreateDbContextAsync(cancellationToken);
            return await again.BillingAccounts.Where(a => a.UserId == actor.UserId).Select(a => a.StripeCustomerId).SingleOrDefaultAsync(cancellationToken)
                ?? throw new BillingUnavailableException();
        }

        logger.LogInformation("Stripe customer {CustomerId} made for user {UserId}", customer.Id, actor.UserId);
        return customer.Id;
    }

    private async Task<T> CallStripeAsync<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (StripeException ex)
        {
            // Stripe's message and request id help support; they never contain the secret key.
            logger.LogError("Stripe refused to {What}: {Status} {Code} {Message} (request {RequestId})",
                what, ex.HttpStatusCode, ex.StripeError?.Code, ex.Message, ex.StripeResponse?.RequestId);
            throw new BillingUnavailableException();
        }
        catch (HttpRequestException ex)
        {
            logger.LogError("Stripe could not be reached to {What}: {Message}", what, ex.Message);
            throw new BillingUnavailableException();
        }
    }
}

public static class BillingAuditActions
{
    public const string EntityType = "BillingAccount";
    public const string CustomerCreated = "billing.customer-created";

    /// <summary>"billing.customer.subscription.updated" for a processed Stripe event of that type.</summary>
    public static string ForStripeEvent(string type) => $"billing.{type}";
}
