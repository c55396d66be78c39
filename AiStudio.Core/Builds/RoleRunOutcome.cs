namespace AiStudio.Core.Builds;

/// <summary>What a finished model call hands back to the phase run that asked for it.</summary>
public sealed record RoleRunOutcome(
    Guid PromptId,
    int PromptVersion,
    string Provider,
    string ModelId,
    string Response,
    int InputTokens,
    int OutputTokens,
    TimeSpan Latency);
