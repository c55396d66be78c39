using AiStudio.Core.Audit;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>Missing or wrong signature; nothing changed.</summary>
    Rejected,

    /// <summary>Rightly signed, but the body is no Stripe event; nothing changed.</summary>
    NotAnEvent,

    /// <summary>The subscription had to be read from Stripe's API, which could not be reached; nothing changed, Stripe retries.</summary>
    RetryLater,

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
/// Out-of-order delivery: each subscription keeps the creation time of the newest event applied to it and ignores older
/// ones (recorded and audited as ignored); an ended subscription stays ended. The first word about a subscription (or an
/// event in another API version) is not trusted: the subscription is read from Stripe's API, as Stripe advises, so a late
/// event about an old subscription cannot pass for the customer's current state. The account follows the newest live one.
/// </remarks>
internal sealed class StripeWebhookProcessor(
    IDbContextFactory<AiStudioDbContext> contexts,
    PlanCatalog plans,
    StripeGateway stripe,
    IOptions<BillingOptions> options,
    TimeProvider clock,
    ILogger<StripeWebhookProcessor> logger) : IStripeWebhookProcessor
{
    private const int Attempts = 3;

    // Stripe.net's own default: a signature older than five minutes is a replay.
    private const long SignatureTolerance = 300;

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

        try
        {
            // The signature (and its age) first: nothing in an unsigned body is looked at.
            EventUtility.ValidateSignature(payload, signatureHeader ?? "", secret, SignatureTolerance);
        }
        catch (Exception ex) when (ex is StripeException or ArgumentException or FormatException)
        {
            logger.LogWarning("Refused a Stripe webhook: {Reason}", ex.Message);
            return WebhookOutcome.Rejected;
        }

        if (IncomingEvent.Parse(payload) is not { } incoming)
        {
            logger.LogWarning("Refused a Stripe webhook: the signature is right but the body is not a Stripe event");
            return WebhookOutcome.NotAnEvent;
        }

        if (incoming.Trusted is null)
        {
            // Stripe retries a failing endpoint for days and then disables it, so the event is accepted and its object read
            // from the API in the app's version; but the endpoint is misconfigured, and the operator must hear of it.
            logger.LogError(
                "Stripe event {EventId} ({Type}) was sent in API version {EventVersion}, but this app reads Stripe objects in {AppVersion}. " +
                "Set the webhook endpoint's API version to {AppVersion} in the Stripe Dashboard; until then each event's subscription is read from Stripe's API instead.",
                incoming.Id, incoming.Type, incoming.ApiVersion ?? "(none)", StripeConfiguration.ApiVersion, StripeConfiguration.ApiVersion);
        }

        if (!Handled.Contains(incoming.Type))
        {
            logger.LogDebug("Stripe event {EventId} of type {Type} is not one billing acts on", incoming.Id, incoming.Type);
            return WebhookOutcome.NotHandled;
        }

        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (await db.ProcessedStripeEvents.AnyAsync(e => e.EventId == incoming.Id, cancellationToken))
            {
                logger.LogInformation("Stripe event {EventId} ({Type}) was already processed", incoming.Id, incoming.Type);
                return WebhookOutcome.AlreadyProcessed;
            }

            var now = clock.GetUtcNow();
            Applied result;
            try
            {
                result = await ApplyAsync(db, incoming, now, cancellationToken);
            }
            catch (StripeUnreadableException ex)
            {
                // Nothing is recorded: Stripe delivers the event again later, and then the subscription can be read.
                logger.LogError("Stripe event {EventId} ({Type}) was not applied: {Reason}. Stripe will deliver it again.", incoming.Id, incoming.Type, ex.Message);
                return WebhookOutcome.RetryLater;
            }

            db.ProcessedStripeEvents.Add(ProcessedStripeEvent.Create(incoming.Id, incoming.Type, incoming.Created, now));
            db.AuditEvents.Add(AuditEvent.Create(now, "stripe", "Stripe", BillingAuditActions.ForStripeEvent(incoming.Type), BillingAuditActions.EntityType,
                result.EntityId, before: result.Before, after: result.After, detail: $"Stripe event {incoming.Id}: {result.Outcome}"));
            if (result.Changed is { } account)
            {
                db.AddNotice(new BillingChanged(account.UserId), now);
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

            logger.LogInformation("Stripe event {EventId} ({Type}) for {Entity}: {Outcome}", incoming.Id, incoming.Type, result.EntityId, result.Outcome);
            if (result.Changed is { LiveSubscriptions.Count: > 1 } twice)
            {
                logger.LogError("User {UserId} has {Count} live Stripe subscriptions ({Subscriptions}) and is charged for each; the account follows the newest, {Followed}. Cancel the others in Stripe.",
                    twice.UserId, twice.LiveSubscriptions.Count, string.Join(", ", twice.LiveSubscriptions.Select(s => s.SubscriptionId)), twice.StripeSubscriptionId);
            }

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

    private sealed record Applied(string EntityId, string Outcome, string? Before = null, string? After = null, BillingAccount? Changed = null);

    private Task<Applied> ApplyAsync(AiStudioDbContext db, IncomingEvent incoming, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var created = incoming.Created;
        return incoming.Trusted?.Data.Object switch
        {
            CheckoutSession session => ApplyCheckoutAsync(db, session, created, now, cancellationToken),
            Subscription subscription => ApplySubscriptionAsync(db, subscription, created, now, cancellationToken),
            Invoice invoice => ApplyInvoiceAsync(db, invoice, incoming.Type == EventTypes.InvoicePaid, created, now, cancellationToken),
            null when incoming.SubscriptionId is { } subscriptionId =>
                ReadAndApplyAsync(db, null, subscriptionId, created, now, $"the event was sent in API version {incoming.ApiVersion}", cancellationToken),
            null => Task.FromResult(new Applied("unknown", $"ignored: the event (API version {incoming.ApiVersion}) names no subscription")),
            var other => Task.FromResult(new Applied("unknown", $"ignored: unexpected object {other.Object ?? "null"}")),
        };
    }

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

        if (account.FindSubscription(session.SubscriptionId) is null)
        {
            // A session says nothing about the subscription's state now, and may be hours old: ask Stripe.
            return await ReadAndApplyAsync(db, account, session.SubscriptionId, created, now, $"checkout session {session.Id} completed", cancellationToken);
        }

        var before = account.Describe();
        if (account.StripeCustomerId is null)
        {
            account.AttachCustomer(session.CustomerId, now);
            return new Applied(account.UserId, $"customer {session.CustomerId} linked; subscription {session.SubscriptionId} already known", before, account.Describe(), account);
        }

        return new Applied(account.UserId, $"nothing to change: subscription {session.SubscriptionId} already known", before, before);
    }

    private async Task<Applied> ApplySubscriptionAsync(AiStudioDbContext db, Subscription subscription, DateTimeOffset created, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var account = await FindAsync(db, subscription.CustomerId, subscription.Metadata?.GetValueOrDefault(BillingService.UserIdKey), cancellationToken);
        if (account is null)
        {
            return new Applied(subscription.CustomerId ?? subscription.Id, $"ignored: no account for customer {subscription.CustomerId}");
        }

        if (account.FindSubscription(subscription.Id) is null)
        {
            // The first word about a subscription may be a late one about a subscription long ended: ask Stripe how it is now.
            return await ReadAndApplyAsync(db, account, subscription.Id, created, now, "first event about it", cancellationToken);
        }

        var before = account.Describe();
        if (account.Apply(Snapshot(subscription), created, now) is { } reason)
        {
            return new Applied(account.UserId, $"ignored: {reason}", before);
        }

        return new Applied(account.UserId, "applied", before, account.Describe(), account);
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

        if (account.FindSubscription(subscriptionId) is null)
        {
            return await ReadAndApplyAsync(db, account, subscriptionId, created, now, $"invoice {invoice.Id} of a subscription not known yet", cancellationToken);
        }

        var before = account.Describe();
        if (account.ApplyInvoice(subscriptionId, paid, created, now) is { } reason)
        {
            return new Applied(account.UserId, $"ignored: {reason}", before);
        }

        return new Applied(account.UserId, $"invoice {invoice.Id} {(paid ? "paid" : "payment failed")}", before, account.Describe(), account);
    }

    /// <summary>Reads the subscription from Stripe's API (its state now, in the app's API version) and applies that.</summary>
    private async Task<Applied> ReadAndApplyAsync(
        AiStudioDbContext db, BillingAccount? account, string subscriptionId, DateTimeOffset created, DateTimeOffset now, string why, CancellationToken cancellationToken)
    {
        var subscription = await ReadSubscriptionAsync(subscriptionId, cancellationToken);
        if (subscription is null)
        {
            return new Applied(account?.UserId ?? subscriptionId, $"ignored: Stripe has no subscription {subscriptionId} ({why})");
        }

        account ??= await FindAsync(db, subscription.CustomerId, subscription.Metadata?.GetValueOrDefault(BillingService.UserIdKey), cancellationToken);
        if (account is null)
        {
            return new Applied(subscription.CustomerId ?? subscriptionId, $"ignored: no account for customer {subscription.CustomerId}");
        }

        if (account.StripeCustomerId is not null && subscription.CustomerId is not null && account.StripeCustomerId != subscription.CustomerId)
        {
            return new Applied(account.UserId, $"ignored: subscription {subscriptionId} belongs to customer {subscription.CustomerId}, not {account.StripeCustomerId}");
        }

        var before = account.Describe();
        if (account.StripeCustomerId is null && subscription.CustomerId is not null)
        {
            account.AttachCustomer(subscription.CustomerId, now);
        }

        if (account.Apply(Snapshot(subscription), created, now, readFromStripe: true) is { } reason)
        {
            return new Applied(account.UserId, $"ignored: {reason}", before);
        }

        return new Applied(account.UserId, $"subscription {subscriptionId} read from Stripe and applied ({why})", before, account.Describe(), account);
    }

    private async Task<Subscription?> ReadSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        try
        {
            return await stripe.Client.V1.Subscriptions.GetAsync(subscriptionId, cancellationToken: cancellationToken);
        }
        catch (StripeException ex) when (ex.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (StripeException ex)
        {
            throw new StripeUnreadableException($"Stripe refused to read subscription {subscriptionId}: {(int)ex.HttpStatusCode} {ex.Message} (request {ex.StripeResponse?.RequestId})");
        }
        catch (HttpRequestException ex)
        {
            throw new StripeUnreadableException($"Stripe could not be reached to read subscription {subscriptionId}: {ex.Message}");
        }
        catch (BillingNotConfiguredException)
        {
            throw new StripeUnreadableException($"subscription {subscriptionId} cannot be read because Billing:Stripe:SecretKey is not set");
        }
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
            subscription.CancelAtPeriodEnd || cancelAt is not null,
            Utc(subscription.Created));
    }

    private static async Task<BillingAccount?> FindAsync(AiStudioDbContext db, string? customerId, string? userId, CancellationToken cancellationToken)
    {
        var accounts = db.BillingAccounts.Include(a => a.Subscriptions);
        if (customerId is not null && await accounts.SingleOrDefaultAsync(a => a.StripeCustomerId == customerId, cancellationToken) is { } byCustomer)
        {
            return byCustomer;
        }

        // A customer made outside the app (say, in the Dashboard) is linked through the user id the app put in the metadata.
        return userId is null ? null : await accounts.SingleOrDefaultAsync(a => a.UserId == userId && a.StripeCustomerId == null, cancellationToken);
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private sealed class StripeUnreadableException(string message) : Exception(message);

    /// <summary>
    /// A verified delivery: its envelope, and the event as Stripe.net reads it when it is in the app's API version
    /// (<see cref="Trusted"/>); otherwise only the subscription's id, taken from the raw object, whatever the version's shape.
    /// </summary>
    private sealed record IncomingEvent(string Id, string Type, DateTimeOffset Created, string? ApiVersion, Event? Trusted, string? SubscriptionId)
    {
        public static IncomingEvent? Parse(string payload)
        {
            JsonObject envelope;
            try
            {
                envelope = JsonNode.Parse(payload) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException)
            {
                return null;
            }

            if (Text(envelope["object"]) != "event" || Text(envelope["id"]) is not { } id || Text(envelope["type"]) is not { } type
                || envelope["created"] is not JsonValue createdValue || !createdValue.TryGetValue<long>(out var created)
                || envelope["data"]?["object"] is not JsonObject dataObject)
            {
                return null;
            }

            var apiVersion = Text(envelope["api_version"]);
            Event? trusted = null;
            try
            {
                trusted = EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: true);
            }
            catch (Exception ex) when (ex is StripeException or JsonException or Newtonsoft.Json.JsonException or ArgumentException or FormatException)
            {
                // Another API version (or a shape Stripe.net cannot read): only ids are taken from it.
            }

            // Invoices name their subscription under parent.subscription_details since 2025-03-31, directly before.
            var subscriptionId = Text(dataObject["object"]) == "subscription"
                ? Text(dataObject["id"])
                : IdOf(dataObject["parent"]?["subscription_details"]?["subscription"]) ?? IdOf(dataObject["subscription"]);
            return new IncomingEvent(id, type, DateTimeOffset.FromUnixTimeSeconds(created), apiVersion, trusted, subscriptionId);
        }

        private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

        // An expandable field is an id, or the object itself.
        private static string? IdOf(JsonNode? node) => Text(node) ?? Text(node?["id"]);
    }
}
