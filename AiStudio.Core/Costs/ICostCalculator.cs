namespace AiStudio.Core.Costs;

public interface ICostCalculator
{
    /// <summary>The cost in US dollars, exact (not rounded); 0 for a model with no price (see <see cref="IsPriced"/>).</summary>
    decimal Cost(string modelId, int inputTokens, int outputTokens);

    /// <summary>Whether the price table knows the model; when not, show its cost as "unpriced" rather than $0.</summary>
    bool IsPriced(string modelId);

    /// <summary>The model's price, or null when it has none.</summary>
    ModelPrice? PriceOf(string modelId);
}
