using AiStudio.Core.Common;

namespace AiStudio.Core.Billing;

/// <summary>
/// The user's plan does not allow this; the message says why, and <see cref="UpgradePath"/> where a better plan can be
/// bought: null on an installation that sells none, where the message says what an administrator can do instead.
/// </summary>
public sealed class PlanLimitException(string message, string? upgradePath) : DomainException(message)
{
    public const string PricingPath = "/pricing";

    public string? UpgradePath { get; } = upgradePath;
}
