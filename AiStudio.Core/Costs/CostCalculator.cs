using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.Costs;

internal sealed partial class CostCalculator(IOptionsMonitor<PricingOptions> options) : ICostCalculator
{
    private const decimal Million = 1_000_000m;

    public decimal Cost(string modelId, int inputTokens, int outputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        return PriceOf(modelId) is { } price
            ? (inputTokens * price.InputPerMillion / Million) + (outputTokens * price.OutputPerMillion / Million)
            : 0m;
    }

    public bool IsPriced(string modelId) => PriceOf(modelId) is not null;

    public ModelPrice? PriceOf(string modelId)
    {
        if (string.IsNullOrWhiteSpace(modelId))
        {
            return null;
        }

        var models = options.CurrentValue.Models;
        var id = modelId.Trim();

        // Providers answer with dated snapshots ("gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929"): same price as the alias.
        return models.GetValueOrDefault(id) ?? models.GetValueOrDefault(DatedSuffix().Replace(id, ""));
    }

    [GeneratedRegex(@"-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$", RegexOptions.IgnoreCase)]
    private static partial Regex DatedSuffix();
}
