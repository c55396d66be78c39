using AiStudio.Core.Common;

namespace AiStudio.Core.Billing;

/// <summary>The user's plan does not allow this; the message says why and <see cref="UpgradePath"/> where to upgrade.</summary>
public sealed class PlanLimitException(string message) : DomainException(message)
{
    public const string PricingPath = "/pricing";

    public string UpgradePath => PricingPath;
}
