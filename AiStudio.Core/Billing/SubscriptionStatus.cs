namespace AiStudio.Core.Billing;

/// <summary>Stripe's subscription statuses, plus None for a user who never subscribed.</summary>
public enum SubscriptionStatus
{
    None,
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Canceled,
    Unpaid,
    Paused,
}

public static class SubscriptionStatuses
{
    public static SubscriptionStatus FromStripe(string? status) => status switch
    {
        "active" => SubscriptionStatus.Active,
        "trialing" => SubscriptionStatus.Trialing,
        "past_due" => SubscriptionStatus.PastDue,
        "canceled" => SubscriptionStatus.Canceled,
        "unpaid" => SubscriptionStatus.Unpaid,
        "incomplete" => SubscriptionStatus.Incomplete,
        "incomplete_expired" => SubscriptionStatus.IncompleteExpired,
        "paused" => SubscriptionStatus.Paused,
        _ => SubscriptionStatus.Incomplete,
    };

    /// <summary>A subscription that still bills (and so blocks buying a second one).</summary>
    public static bool IsLive(this SubscriptionStatus status) =>
        status is SubscriptionStatus.Active or SubscriptionStatus.Trialing or SubscriptionStatus.PastDue;

    /// <summary>Canceled and expired subscriptions never come back in Stripe.</summary>
    public static bool HasEnded(this SubscriptionStatus status) =>
        status is SubscriptionStatus.Canceled or SubscriptionStatus.IncompleteExpired;

    public static string Describe(this SubscriptionStatus status) => status switch
    {
        SubscriptionStatus.None => "No subscription",
        SubscriptionStatus.PastDue => "Past due",
        SubscriptionStatus.IncompleteExpired => "Incomplete (expired)",
        _ => status.ToString(),
    };
}
