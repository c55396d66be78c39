using AiStudio.Core.Audit;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;
using CheckoutSession = Stripe.Checkout.Session;

namespace AiStudio.Core.Billing;

public enum WebhookOutcome
{
    /// <summary>Verified, applied (or deliberately ignored as stale) and recorded.</summary>
    Processed,

    /// <summary>The event id was processed before; nothing changed.</summary>
    AlreadyProcessed,

    /// <summary>A verified event of a type billing does not act on.</summary>
    NotHandled,

    /// <summary>Missing or wrong signature, or a body that is no Stripe event; nothing changed.</summary>
    Rejected,

    /// <summary>No webhook secret is configured.</summary>
    NotConfigured,
}

/// <summary>Verifies and applies one Stripe webhook delivery.</summary>
public interface IStripeWebhookProcessor
{
    /// <param name="payload">The request body exactly as received: the signature covers those bytes.</param>
    /// <param name="signatureHeader">The Stripe-Signature header.</param>
    Task<WebhookOutcome> ProcessAsync(string payload, string? signatureHeader, CancellationToken cancellationToken = default);
}

/// <remarks>
/// Idempotent by event id: the id goes into ProcessedStripeEvents (its primary key) in the same SaveChanges as the
/// change and its audit row, so a replay changes nothing and two simultaneous deliveries apply once.
/// Out-of-order delivery: each account keeps the creation time of the newest event applied to its subscription and
/// ignores older ones (recorded and audited as ignored), rather than re-reading the subscription from Stripe — no API
/// call per event, and the outcome does not depend on Stripe being reachable while the webhook is answered.
/// </remarks>
internal sealed class StripeWebhookProcessor(
    IDbContextFactory<AiStudioDbContext> contexts,
    PlanCatalog plans,
    IOptions<BillingOptions> options,
    TimeProvider clock,
    ILogger<StripeWebhookProcessor> logger) : IStripeWebhookProcessor
{
    private const int Attempts = 3;

    /// <summary>
    /// How long an event id is remembered. Stripe redelivers an event for up to three days, and a replayed delivery
    /// needs a fresh signature (five minutes' tolerance), so ids older than this can never come back as a duplicate.
    /// </summary>
    public static readonly TimeSpan ProcessedEventRetention = TimeSpan.FromDays(30);

    private static readonly HashSet<string> Handled =
    [
        EventTypes.CheckoutSessionCompleted,
        EventTypes.CustomerSubscriptionCreated,
        EventTypes.CustomerSubscriptionUpdated,
        EventTypes.CustomerSubscriptionDeleted,
        EventTypes.InvoicePaid,
        EventTypes.InvoicePaymentFailed,
    ];

    public async Task<WebhookOutcome> ProcessAsync(string payload, string? signatureHeader, CancellationToken cancellationToken = default)
    {
        var secret = options.Value.Stripe.WebhookSecret;
        if (string.IsNullOrWhiteSpace(secret))
        {
            logger.LogWarning("A Stripe webhook arrived but Billing:Stripe:WebhookSecret is not set; it was refused.");
            return WebhookOutcome.NotConfigured;
        }

        Event stripeEvent;
        try
        {
            // Checks the signature (and its age) and that the event's API version is the one Stripe.net was built for.
            stripeEvent = EventUtility.ConstructEvent(payload, signatureHeader ?? "", secret);
        }
        catch (Exception ex) when (ex is StripeException or System.Text.Json.JsonException or Newtonsoft.Json.JsonException or ArgumentException or FormatException)
        {
            logger.LogWarning("Refused a Stripe webhook: {Reason}", ex.Message);
            return WebhookOutcome.Rejected;
        }

        if (!Handled.Contains(stripeEvent.Type))
        {
            logger.LogDebug("Stripe event {EventId} of type {Type} is not one billing acts on", stripeEvent.Id, stripeEvent.Type);
            return WebhookOutcome.NotHandled;
        }

        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (await db.ProcessedStripeEvents.AnyAsync(e => e.EventId == stripeEvent.Id, cancellationToken))
            {
                logger.LogInformation("Stripe event {EventId} ({Type}) was already processed", stripeEvent.Id, stripeEvent.Type);
                return WebhookOutcome.AlreadyProcessed;
            }

            var now = clock.GetUtcNow();
            var created = Utc(stripeEvent.Created);
            var result = await ApplyAsync(db, stripeEvent, created, now, cancellationToken);
            db.ProcessedStripeEvents.Add(ProcessedStripeEvent.Create(stripeEvent.Id, stripeEvent.Type, created, now));
            db.AuditEvents.Add(AuditEvent.Create(now, "stripe", "Stripe", BillingAuditActions.ForStripeEvent(stripeEvent.Type), BillingAuditActions.EntityType,
                result.EntityId, before: result.Before, after: result.After, detail: $"Stripe event {stripeEvent.Id}: {result.Outcome}"));
            if (result.ChangedUserId is { } userId)
            {
                db.AddNotice(new BillingChanged(userId), now);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // Another event for the same account was saved first (its version moved on), or a simultaneous delivery of this
                // very event inserted its id first (the key is unique): start again, and find the newer state or the id recorded.
                continue;
            }

            logger.LogInformation("Stripe event {EventId} ({Type}) for {Entity}: {Outcome}", stripeEvent.Id, stripeEvent.Type, result.EntityId, result.Outcome);
            await ForgetOldEventIdsAsync(db, now, cancellationToken);
            return WebhookOutcome.Processed;
        }
    }

    private async Task ForgetOldEventIdsAsync(AiStudioDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var before = now - ProcessedEventRetention;
        var forgotten = await db.ProcessedStripeEvents.Where(e => e.ProcessedAt < before).ExecuteDeleteAsync(cancellationToken);
        if (forgotten > 0)
        {
            logger.LogInformation("Forgot {Count} Stripe event ids processed before {Before:u}", forgotten, before);
        }
    }

    private sealed record Applied(string EntityId, string Outcome, string? Before = null, string? After = null, string? ChangedUserId = null);

    private Task<Applied> ApplyAsync(AiStudioDbContext db, Event stripeEvent, DateTimeOffset created, DateTimeOffset now, CancellationToken cancellationToken) =>
        stripeEvent.Data.Object switch
        {
            CheckoutSession session => ApplyCheckoutAsync(db, session, created, now, cancellationToken),
            Subscription subscription => ApplySubscriptionAsync(db, subscription, created, now, cancellationToken),
            Invoice invoice => ApplyInvoiceAsync(db, invoice, stripeEvent.Type == EventTypes.InvoicePaid, created, now, cancellationToken),
            var other => Task.FromResult(new Applied("unknown", $"ignored: unexpected object {other?.Object ?? "null"}")),
        };

    private async Task<Applied> ApplyCheckoutAsync(AiStudioDbContext db, CheckoutSession session, DateTimeOffset created, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (session.Mode != "subscription" || session.SubscriptionId is null || session.CustomerId is null)
        {
            return new Applied(session.ClientReferenceId ?? session.Id, $"ignored: session {session.Id} made no subscription");
        }

        var account = await FindAsync(db, session.CustomerId, session.ClientReferenceId, cancellationToken);
        if (account is null)
        {
            return new Applied(session.CustomerId, $"ignored: no account for customer {session.CustomerId}");
        }

        var before = account.Describe();
        var paid = session.PaymentStatus is "paid" or "no_payment_required";
        var planName = plans.Find(session.Metadata?.GetValueOrDefault(BillingService.PlanKey))?.Name;
        account.LinkCheckout(session.CustomerId, session.SubscriptionId, planName, paid, created, now);
        return new Applied(account.UserId, $"subscription {session.SubscriptionId} linked", before, account.Describe(), account.UserId);
    }

    private async Task<Applied> ApplySubscriptionAsync(AiStudioDbContext db, Subscription subscription, DateTimeOffset created, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var account = await FindAsync(db, subscription.CustomerId, subscription.Metadata?.GetValueOrDefault(BillingService.UserIdKey), cancellationToken);
        if (account is null)
        {
            return new Applied(subscription.CustomerId ?? subscription.Id, $"ignored: no account for customer {subscription.CustomerId}");
        }

        var snapshot = Snapshot(subscription);
        if (account.WhyIgnore(subscription.Id, created, snapshot.Status) is { } reason)
        {
            return new Applied(account.UserId, $"ignored: {reason}", account.Describe());
        }

        var before = account.Describe();
        account.Apply(snapshot, created, now);
        return new Applied(account.UserId, "applied", before, account.Describe(), account.UserId);
    }

    private async Task<Applied> ApplyInvoiceAsync(AiStudioDbContext db, Invoice invoice, bool paid, DateTimeOffset created, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var subscriptionId = invoice.Parent?.SubscriptionDetails?.SubscriptionId;
        if (subscriptionId is null || invoice.CustomerId is null)
        {
            return new Applied(invoice.CustomerId ?? invoice.Id, $"ignored: invoice {invoice.Id} is not for a subscription");
        }

        var account = await FindAsync(db, invoice.CustomerId, userId: null, cancellationToken);
        if (account is null)
        {
            return new Applied(invoice.CustomerId, $"ignored: no account for customer {invoice.CustomerId}");
        }

        if (account.WhyIgnore(subscriptionId, created, incoming: null) is { } reason)
        {
            return new Applied(account.UserId, $"ignored: {reason}", account.Describe());
        }

        var before = account.Describe();
        if (paid)
        {
            account.MarkInvoicePaid(created, now);
        }
        else
        {
            account.MarkPaymentFailed(created, now);
        }

        return new Applied(account.UserId, $"invoice {invoice.Id} {(paid ? "paid" : "payment failed")}", before, account.Describe(), account.UserId);
    }

    private SubscriptionSnapshot Snapshot(Subscription subscription)
    {
        var items = subscription.Items?.Data ?? [];
        var priceId = items.Select(i => i.Price?.Id).FirstOrDefault(id => id is not null);
        var plan = plans.FindByPriceId(priceId);
        if (plan is null)
        {
            logger.LogWarning("Subscription {SubscriptionId} has price {PriceId}, which no plan in Billing:Plans has", subscription.Id, priceId);
        }

        // Since API version 2025-03-31 the period lives on each subscription item, not on the subscription.
        DateTimeOffset? periodEnd = items.Count == 0 ? null : Utc(items.Max(i => i.CurrentPeriodEnd));

        // The portal may cancel "at period end" by setting cancel_at rather than cancel_at_period_end.
        var cancelAt = subscription.CancelAt is { } at ? Utc(at) : (DateTimeOffset?)null;
        return new SubscriptionSnapshot(
            subscription.Id,
            plan?.Name,
            SubscriptionStatuses.FromStripe(subscription.Status),
            cancelAt is { } end && (periodEnd is null || end < periodEnd) ? end : periodEnd,
            subscription.CancelAtPeriodEnd || cancelAt is not null);
    }

    private static async Task<BillingAccount?> FindAsync(AiStudioDbContext db, string? customerId, string? userId, CancellationToken cancellationToken)
    {
        if (customerId is not null && await db.BillingAccounts.SingleOrDefaultAsync(a => a.StripeCustomerId == customerId, cancellationToken) is { } byCustomer)
        {
            return byCustomer;
        }

        // A customer made outside the app (say, in the Dashboard) is linked through the user id the app put in the metadata.
        return userId is null ? null : await db.BillingAccounts.SingleOrDefaultAsync(a => a.UserId == userId && a.StripeCustomerId == null, cancellationToken);
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
