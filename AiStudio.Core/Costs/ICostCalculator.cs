namespace AiStudio.Core.Costs;

public interface ICostCalculator
{
    decimal Cost(string modelId, int inputTokens, int outputTokens);
}
