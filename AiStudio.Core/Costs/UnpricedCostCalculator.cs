namespace AiStudio.Core.Costs;

/// <summary>Prices nothing. Only a fallback: <see cref="CostRegistration.AddCosts"/> registers the configured price table.</summary>
internal sealed class UnpricedCostCalculator : ICostCalculator
{
    public decimal Cost(string modelId, int inputTokens, int outputTokens) => 0m;

    public bool IsPriced(string modelId) => false;

    public ModelPrice? PriceOf(string modelId) => null;
}
