using AiStudio.Core.Outbox;

namespace AiStudio.Core.Billing;

/// <summary>Written to the outbox with the billing change it reports.</summary>
public sealed record BillingChanged(string UserId) : IOutboxNotice
{
    public static string Kind => "billing.changed";
}

/// <summary>
/// In-process notice that a user's billing state changed (a webhook was processed), so that a page waiting
/// for activation re-reads through the services. Like build events, many nodes would need Redis for this.
/// </summary>
public interface IBillingEvents
{
    event Action<BillingChanged>? Changed;

    void Publish(BillingChanged change);
}

internal sealed class InProcessBillingEvents : IBillingEvents
{
    public event Action<BillingChanged>? Changed;

    public void Publish(BillingChanged change) => Changed?.Invoke(change);
}
