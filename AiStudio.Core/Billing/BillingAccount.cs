namespace AiStudio.Core.Billing;

/// <summary>What Stripe said about a subscription, in the domain's terms.</summary>
/// <param name="CreatedAt">When Stripe created the subscription; decides which of two subscriptions is the newer.</param>
public sealed record SubscriptionSnapshot(
    string SubscriptionId,
    string? PlanName,
    SubscriptionStatus Status,
    DateTimeOffset? CurrentPeriodEnd,
    bool CancelAtPeriodEnd,
    DateTimeOffset? CreatedAt = null);

/// <summary>
/// One user's link to Stripe: the customer made for them (once), every subscription Stripe told about, and the one the
/// account follows (its state copied onto the account, which is what plans are decided from). Keyed by the user's id.
/// Stripe delivers events late and out of order, so each subscription keeps the creation time of the newest event applied
/// to it and ignores older ones; an ended subscription stays ended. The account follows the newest live subscription, so
/// a late event about an older one never takes it over, and a second live one is tracked rather than lost.
/// </summary>
public sealed class BillingAccount
{
    private readonly List<BillingSubscription> _subscriptions = [];

    private BillingAccount() { }

    public string UserId { get; private set; } = "";
    public string? StripeCustomerId { get; private set; }

    /// <summary>The subscription the account follows.</summary>
    public string? StripeSubscriptionId { get; private set; }

    /// <summary>The plan the subscription pays for; null when its price is none of the configured plans.</summary>
    public string? PlanName { get; private set; }

    public SubscriptionStatus Status { get; private set; }
    public DateTimeOffset? CurrentPeriodEnd { get; private set; }
    public bool CancelAtPeriodEnd { get; private set; }
    public DateTimeOffset? PastDueSince { get; private set; }

    /// <summary>Creation time of the newest Stripe event applied to the followed subscription.</summary>
    public DateTimeOffset? LastEventCreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Set by the app on every change (SQLite has no rowversion); two webhooks at once cannot both win.</summary>
    public int Version { get; private set; }

    /// <summary>Every subscription of the customer that Stripe told the app about, ended ones included.</summary>
    public IReadOnlyCollection<BillingSubscription> Subscriptions => _subscriptions;

    /// <summary>Subscriptions that still bill; more than one means the customer pays twice.</summary>
    public IReadOnlyList<BillingSubscription> LiveSubscriptions => [.. _subscriptions.Where(s => s.Status.IsLive()).OrderByDescending(s => s.StartedAt)];

    public static BillingAccount Open(string userId, DateTimeOffset now) => new() { UserId = userId, UpdatedAt = now };

    public BillingSubscription? FindSubscription(string subscriptionId) => _subscriptions.SingleOrDefault(s => s.SubscriptionId == subscriptionId);

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
    /// Records what an event (or a read from Stripe's API) says about one subscription, then follows the right one.
    /// </summary>
    /// <param name="readFromStripe">The state was just read from Stripe's API: it is current, whatever the event's age.</param>
    /// <returns>Why nothing changed; null when the state was applied.</returns>
    public string? Apply(SubscriptionSnapshot subscription, DateTimeOffset eventCreated, DateTimeOffset now, bool readFromStripe = false)
    {
        var known = FindSubscription(subscription.SubscriptionId);
        if (known is null)
        {
            known = BillingSubscription.Start(UserId, subscription.SubscriptionId, subscription.CreatedAt ?? eventCreated);
            _subscriptions.Add(known);
        }
        else if (known.WhyIgnore(eventCreated, subscription.Status, readFromStripe) is { } reason)
        {
            return reason;
        }

        known.Apply(subscription, eventCreated);
        Follow(now);
        return null;
    }

    /// <summary>An invoice of a known subscription was paid, or its payment failed.</summary>
    /// <returns>Why nothing changed; null when applied.</returns>
    public string? ApplyInvoice(string subscriptionId, bool paid, DateTimeOffset eventCreated, DateTimeOffset now)
    {
        var known = FindSubscription(subscriptionId) ?? throw new InvalidOperationException($"Subscription {subscriptionId} is not known to account {UserId}.");
        if (known.WhyIgnore(eventCreated, incoming: null, readFromStripe: false) is { } reason)
        {
            return reason;
        }

        if (paid)
        {
            known.MarkInvoicePaid(eventCreated);
        }
        else
        {
            known.MarkPaymentFailed(eventCreated);
        }

        Follow(now);
        return null;
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

        var others = LiveSubscriptions.Where(s => s.SubscriptionId != StripeSubscriptionId).ToList();
        if (others.Count > 0)
        {
            parts.Add($"also billing {string.Join(", ", others.Select(s => $"{s.PlanName ?? "unknown plan"} ({s.SubscriptionId})"))}");
        }

        return string.Join(", ", parts);
    }

    // The newest live subscription decides the plan; with none live, the newest one says why there is no plan.
    private void Follow(DateTimeOffset now)
    {
        var followed = LiveSubscriptions.FirstOrDefault() ?? _subscriptions.OrderByDescending(s => s.StartedAt).First();
        StripeSubscriptionId = followed.SubscriptionId;
        PlanName = followed.PlanName;
        Status = followed.Status;
        CurrentPeriodEnd = followed.CurrentPeriodEnd;
        CancelAtPeriodEnd = followed.CancelAtPeriodEnd;
        PastDueSince = followed.PastDueSince;
        LastEventCreatedAt = followed.LastEventCreatedAt;
        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>One Stripe subscription of a billing account, as its newest applied event (or API read) described it.</summary>
public sealed class BillingSubscription
{
    private BillingSubscription() { }

    public string SubscriptionId { get; private set; } = "";
    public string UserId { get; private set; } = "";

    /// <summary>When Stripe created the subscription.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    public string? PlanName { get; private set; }
    public SubscriptionStatus Status { get; private set; }
    public DateTimeOffset? CurrentPeriodEnd { get; private set; }
    public bool CancelAtPeriodEnd { get; private set; }
    public DateTimeOffset? PastDueSince { get; private set; }
    public DateTimeOffset? LastEventCreatedAt { get; private set; }

    internal static BillingSubscription Start(string userId, string subscriptionId, DateTimeOffset startedAt) =>
        new() { UserId = userId, SubscriptionId = subscriptionId, StartedAt = startedAt };

    internal string? WhyIgnore(DateTimeOffset eventCreated, SubscriptionStatus? incoming, bool readFromStripe)
    {
        if (!readFromStripe && LastEventCreatedAt is { } last && eventCreated < last)
        {
            return $"older ({eventCreated:u}) than the state held for subscription {SubscriptionId} ({last:u})";
        }

        // Stripe never revives a canceled or expired subscription; a late event must not either.
        return Status.HasEnded() && incoming != Status ? $"subscription {SubscriptionId} has already ended ({Status.Describe().ToLowerInvariant()})" : null;
    }

    internal void Apply(SubscriptionSnapshot subscription, DateTimeOffset eventCreated)
    {
        PlanName = subscription.PlanName;
        CurrentPeriodEnd = subscription.CurrentPeriodEnd;
        CancelAtPeriodEnd = subscription.CancelAtPeriodEnd;
        SetStatus(subscription.Status, eventCreated);
        Seen(eventCreated);
    }

    internal void MarkInvoicePaid(DateTimeOffset eventCreated)
    {
        if (Status is SubscriptionStatus.PastDue or SubscriptionStatus.Unpaid or SubscriptionStatus.Incomplete or SubscriptionStatus.Active)
        {
            SetStatus(SubscriptionStatus.Active, eventCreated);
        }

        Seen(eventCreated);
    }

    internal void MarkPaymentFailed(DateTimeOffset eventCreated)
    {
        if (Status is SubscriptionStatus.Active or SubscriptionStatus.Trialing or SubscriptionStatus.PastDue)
        {
            SetStatus(SubscriptionStatus.PastDue, eventCreated);
        }

        Seen(eventCreated);
    }

    private void SetStatus(SubscriptionStatus status, DateTimeOffset eventCreated)
    {
        // The grace period counts from when the subscription first went past due, not from the latest reminder.
        PastDueSince = status == SubscriptionStatus.PastDue ? PastDueSince ?? eventCreated : null;
        Status = status;
    }

    private void Seen(DateTimeOffset eventCreated)
    {
        if (LastEventCreatedAt is null || eventCreated > LastEventCreatedAt)
        {
            LastEventCreatedAt = eventCreated;
        }
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
