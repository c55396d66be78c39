namespace AiStudio.Core.Billing;

/// <summary>
/// The "Billing" configuration section: the plans on sale, the plan everyone has without a subscription,
/// and Stripe's keys. Keys come from user-secrets or environment variables only, never the database.
/// </summary>
public sealed class BillingOptions
{
    public const string Section = "Billing";

    public Dictionary<string, PlanOptions> Plans { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public string DefaultPlan { get; set; } = "Free";

    /// <summary>How long a past-due subscription keeps its plan while Stripe retries the payment.</summary>
    public int GracePeriodDays { get; set; } = 7;

    public StripeOptions Stripe { get; set; } = new();
}

public sealed class PlanOptions
{
    public string? DisplayName { get; set; }

    /// <summary>Null: unlimited.</summary>
    public int? BuildsPerMonth { get; set; }

    /// <summary>Model ids (or kinds) the plan may use; empty: all.</summary>
    public List<string> AllowedModels { get; set; } = [];

    /// <summary>Null: unlimited.</summary>
    public int? MembersPerProject { get; set; }

    /// <summary>The recurring Stripe price (price_…) that buys the plan; empty for a plan that is not sold.</summary>
    public string? StripePriceId { get; set; }

    public string? MonthlyPriceText { get; set; }
}

public sealed class StripeOptions
{
    /// <summary>sk_test_… or sk_live_…; without it billing is switched off.</summary>
    public string? SecretKey { get; set; }

    /// <summary>whsec_…, the signing secret of the webhook endpoint.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Only to point Stripe.net at a stand-in server (tests); Stripe's own address otherwise.</summary>
    public string? ApiBase { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey);

    // Options objects end up in logs and debuggers: never print the keys.
    public override string ToString() => $"Stripe (secret key {(IsConfigured ? "set" : "not set")}, webhook secret {(string.IsNullOrWhiteSpace(WebhookSecret) ? "not set" : "set")})";
}
