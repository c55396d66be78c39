namespace AiStudio.Core.Billing;

/// <summary>What Stripe said about a subscription, in the domain's terms.</summary>
public sealed record SubscriptionSnapshot(
    string SubscriptionId,
    string? PlanName,
    SubscriptionStatus Status,
    DateTimeOffset? CurrentPeriodEnd,
    bool CancelAtPeriodEnd);

/// <summary>
/// One user's link to Stripe: the customer made for them (once), their current subscription and its state
/// as last told by a webhook. Keyed by the user's id. Stripe delivers events late and out of order, so every
/// change names the event's creation time and one older than the state held for the same subscription is ignored.
/// </summary>
public sealed class BillingAccount
{
    private BillingAccount() { }

    public string UserId { get; private set; } = "";
    public string? StripeCustomerId { get; private set; }
    public string? StripeSubscriptionId { get; private set; }

    /// <summary>The plan the subscription pays for; null when its price is none of the configured plans.</summary>
    public string? PlanName { get; private set; }

    public SubscriptionStatus Status { get; private set; }
    public DateTimeOffset? CurrentPeriodEnd { get; private set; }
    public bool CancelAtPeriodEnd { get; private set; }
    public DateTimeOffset? PastDueSince { get; private set; }

    /// <summary>Creation time of the newest Stripe event applied to the current subscription.</summary>
    public DateTimeOffset? LastEventCreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Set by the app on every change (SQLite has no rowversion); two webhooks at once cannot both win.</summary>
    public int Version { get; private set; }

    public static BillingAccount Open(string userId, DateTimeOffset now) => new() { UserId = userId, UpdatedAt = now };

    public void AttachCustomer(string customerId, DateTimeOffset now)
    {
        if (StripeCustomerId is not null && StripeCustomerId != customerId)
        {
            throw new InvalidOperationException($"User {UserId} already has Stripe customer {StripeCustomerId}.");
        }

        StripeCustomerId = customerId;
        Touch(now);
    }

    /// <summary>
    /// Why an event about <paramref name="subscriptionId"/>, created at <paramref name="eventCreated"/>, should change nothing;
    /// null when it applies. <paramref name="incoming"/> is the status the event reports, null for an invoice event.
    /// </summary>
    public string? WhyIgnore(string subscriptionId, DateTimeOffset eventCreated, SubscriptionStatus? incoming)
    {
        if (subscriptionId != StripeSubscriptionId)
        {
            // Another subscription replaces the current one, unless the current one is live and the other is not (an old one ending).
            if (incoming is null)
            {
                return $"invoice of subscription {subscriptionId}, not the current one";
            }

            return Status.IsLive() && !incoming.Value.IsLive() ? $"subscription {subscriptionId} is not the current one ({StripeSubscriptionId})" : null;
        }

        if (LastEventCreatedAt is { } last && eventCreated < last)
        {
            return $"older ({eventCreated:u}) than the state held ({last:u})";
        }

        // Stripe never revives a canceled subscription; a late update must not either.
        return Status == SubscriptionStatus.Canceled && incoming != SubscriptionStatus.Canceled ? $"subscription {subscriptionId} is already canceled" : null;
    }

    /// <summary>Checkout completed: the subscription is the user's. Its full state follows in customer.subscription.* events.</summary>
    public void LinkCheckout(string customerId, string subscriptionId, string? planName, bool paid, DateTimeOffset eventCreated, DateTimeOffset now)
    {
        StripeCustomerId ??= customerId;
        if (subscriptionId != StripeSubscriptionId)
        {
            StartTracking(subscriptionId);
        }

        if (Status == SubscriptionStatus.None)
        {
            PlanName = planName;
            Status = paid ? SubscriptionStatus.Active : SubscriptionStatus.Incomplete;
        }

        Seen(eventCreated, now);
    }

    public void Apply(SubscriptionSnapshot subscription, DateTimeOffset eventCreated, DateTimeOffset now)
    {
        if (subscription.SubscriptionId != StripeSubscriptionId)
        {
            StartTracking(subscription.SubscriptionId);
        }

        PlanName = subscription.PlanName;
        CurrentPeriodEnd = subscription.CurrentPeriodEnd;
        CancelAtPeriodEnd = subscription.CancelAtPeriodEnd;
        SetStatus(subscription.Status, eventCreated);
        Seen(eventCreated, now);
    }

    public void MarkInvoicePaid(DateTimeOffset eventCreated, DateTimeOffset now)
    {
        if (Status is SubscriptionStatus.PastDue or SubscriptionStatus.Unpaid or SubscriptionStatus.Incomplete or SubscriptionStatus.Active)
        {
            SetStatus(SubscriptionStatus.Active, eventCreated);
        }

        Seen(eventCreated, now);
    }

    public void MarkPaymentFailed(DateTimeOffset eventCreated, DateTimeOffset now)
    {
        if (Status is SubscriptionStatus.Active or SubscriptionStatus.Trialing or SubscriptionStatus.PastDue)
        {
            SetStatus(SubscriptionStatus.PastDue, eventCreated);
        }

        Seen(eventCreated, now);
    }

    public string Describe()
    {
        if (Status == SubscriptionStatus.None)
        {
            return "no subscription";
        }

        var parts = new List<string> { PlanName ?? "unknown plan", Status.Describe() };
        if (CurrentPeriodEnd is { } end)
        {
            parts.Add($"period ends {end:yyyy-MM-dd}");
        }

        if (CancelAtPeriodEnd)
        {
            parts.Add("cancels at period end");
        }

        if (PastDueSince is { } since)
        {
            parts.Add($"past due since {since:yyyy-MM-dd}");
        }

        return string.Join(", ", parts);
    }

    private void StartTracking(string subscriptionId)
    {
        StripeSubscriptionId = subscriptionId;
        Status = SubscriptionStatus.None;
        PlanName = null;
        CurrentPeriodEnd = null;
        CancelAtPeriodEnd = false;
        PastDueSince = null;
        LastEventCreatedAt = null;
    }

    private void SetStatus(SubscriptionStatus status, DateTimeOffset eventCreated)
    {
        // The grace period counts from when the subscription first went past due, not from the latest reminder.
        PastDueSince = status == SubscriptionStatus.PastDue ? PastDueSince ?? eventCreated : null;
        Status = status;
    }

    private void Seen(DateTimeOffset eventCreated, DateTimeOffset now)
    {
        if (LastEventCreatedAt is null || eventCreated > LastEventCreatedAt)
        {
            LastEventCreatedAt = eventCreated;
        }

        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>A Stripe event already acted on; its id is the key, so a replay (or two deliveries at once) is applied once.</summary>
public sealed class ProcessedStripeEvent
{
    private ProcessedStripeEvent() { }

    public string EventId { get; private set; } = "";
    public string Type { get; private set; } = "";
    public DateTimeOffset EventCreatedAt { get; private set; }
    public DateTimeOffset ProcessedAt { get; private set; }

    public static ProcessedStripeEvent Create(string eventId, string type, DateTimeOffset eventCreatedAt, DateTimeOffset now) =>
        new() { EventId = eventId, Type = type, EventCreatedAt = eventCreatedAt, ProcessedAt = now };
}
