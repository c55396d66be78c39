using AiStudio.Core.ModelProviders.Offline;

namespace AiStudio.Core.Billing;

/// <summary>What a plan allows. Null limits are unlimited; an empty model list allows every model.</summary>
public sealed record Plan(
    string Name,
    string DisplayName,
    int? BuildsPerMonth,
    IReadOnlyList<string> AllowedModels,
    int? MembersPerProject,
    string? StripePriceId,
    string? MonthlyPriceText)
{
    public bool IsForSale => !string.IsNullOrWhiteSpace(StripePriceId);

    public bool AllowsModel(string modelId) =>
        AllowedModels.Count == 0 || AllowedModels.Contains(modelId.Trim(), StringComparer.OrdinalIgnoreCase);

    public string BuildsText => BuildsPerMonth is { } limit ? $"{limit} builds a month" : "Unlimited builds";

    public string ModelsText => AllowedModels.Count == 0
        ? "All models"
        : string.Join(", ", AllowedModels.Select(m => m.Equals(OfflineChatCompletionService.ModelId, StringComparison.OrdinalIgnoreCase) ? "the offline model" : m));

    public string MembersText => MembersPerProject is { } limit ? $"Up to {limit} members per project" : "Unlimited members per project";
}

/// <summary>The configured plans, cheapest first, and the default plan.</summary>
public sealed class PlanCatalog
{
    public PlanCatalog(BillingOptions options)
    {
        var plans = options.Plans
            .Select(p => new Plan(
                p.Key,
                string.IsNullOrWhiteSpace(p.Value.DisplayName) ? p.Key : p.Value.DisplayName.Trim(),
                p.Value.BuildsPerMonth,
                [.. p.Value.AllowedModels.Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m.Trim())],
                p.Value.MembersPerProject,
                string.IsNullOrWhiteSpace(p.Value.StripePriceId) ? null : p.Value.StripePriceId.Trim(),
                p.Value.MonthlyPriceText))
            .OrderBy(p => p.BuildsPerMonth ?? int.MaxValue)
            .ThenBy(p => p.MembersPerProject ?? int.MaxValue)
            .ThenBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

        // With no plans configured (a bare host, or an installation that never sells plans) everyone gets one plan without limits.
        if (plans.Count == 0)
        {
            plans.Add(new Plan(options.DefaultPlan, options.DefaultPlan, null, [], null, null, null));
        }

        Plans = plans;
        Default = Find(options.DefaultPlan) ?? throw new InvalidOperationException(
            $"Billing:DefaultPlan is '{options.DefaultPlan}', which is not one of Billing:Plans ({string.Join(", ", plans.Select(p => p.Name))}).");

        var duplicate = plans.Where(p => p.IsForSale).GroupBy(p => p.StripePriceId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Billing:Plans {string.Join(" and ", duplicate.Select(p => p.Name))} share the Stripe price {duplicate.Key}; each plan needs its own.");
        }
    }

    public IReadOnlyList<Plan> Plans { get; }

    public Plan Default { get; }

    public Plan? Find(string? name) =>
        string.IsNullOrWhiteSpace(name) ? null : Plans.FirstOrDefault(p => string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    public Plan? FindByPriceId(string? priceId) =>
        string.IsNullOrWhiteSpace(priceId) ? null : Plans.FirstOrDefault(p => string.Equals(p.StripePriceId, priceId, StringComparison.Ordinal));
}
