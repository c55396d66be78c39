using System.Globalization;
using AiStudio.Core.ModelProviders.Offline;
using Microsoft.Extensions.Options;

namespace AiStudio.Core.Costs;

/// <summary>What each model costs, in US dollars per million tokens; bound from "Pricing:Models:&lt;modelId&gt;".</summary>
public sealed class PricingOptions
{
    public const string SectionName = "Pricing";

    /// <summary>
    /// Keyed by model id (for Azure OpenAI, the deployment name), ignoring case. Starts with <see cref="Defaults"/>;
    /// configuration adds models and overrides single prices.
    /// </summary>
    public Dictionary<string, ModelPrice> Models { get; set; } = Defaults();

    /// <summary>List prices of common models (USD per million tokens, standard tier) when this table was written.</summary>
    public static Dictionary<string, ModelPrice> Defaults() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4o"] = new(2.50m, 10.00m),
        ["gpt-4o-mini"] = new(0.15m, 0.60m),
        ["gpt-4.1"] = new(2.00m, 8.00m),
        ["gpt-4.1-mini"] = new(0.40m, 1.60m),
        ["claude-sonnet-4-5"] = new(3.00m, 15.00m),
        ["claude-haiku-4-5"] = new(1.00m, 5.00m),
        ["claude-opus-4-5"] = new(5.00m, 25.00m),
        [OfflineChatCompletionService.ModelId] = new(0m, 0m),
    };
}

public sealed class ModelPrice
{
    public ModelPrice()
    {
    }

    public ModelPrice(decimal inputPerMillion, decimal outputPerMillion)
    {
        InputPerMillion = inputPerMillion;
        OutputPerMillion = outputPerMillion;
    }

    public decimal InputPerMillion { get; set; }

    public decimal OutputPerMillion { get; set; }
}

internal sealed class PricingOptionsValidator : IValidateOptions<PricingOptions>
{
    public ValidateOptionsResult Validate(string? name, PricingOptions options)
    {
        var errors = options.Models
            .Where(m => m.Value is null || m.Value.InputPerMillion < 0 || m.Value.OutputPerMillion < 0)
            .OrderBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => $"{PricingOptions.SectionName}:Models:{m.Key} has a negative price (InputPerMillion {Show(m.Value?.InputPerMillion)}, OutputPerMillion {Show(m.Value?.OutputPerMillion)}); prices are US dollars per million tokens, 0 or more.")
            .ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string Show(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "missing";
}
