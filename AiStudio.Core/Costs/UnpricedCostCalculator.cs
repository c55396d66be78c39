namespace AiStudio.Core.Costs;

// Replaced by the configured price table when the pricing work lands.
internal sealed class UnpricedCostCalculator : ICostCalculator
{
    public decimal Cost(string modelId, int inputTokens, int outputTokens) => 0m;
}
