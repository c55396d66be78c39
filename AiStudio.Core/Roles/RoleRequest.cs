using AiStudio.Core.Builds;

namespace AiStudio.Core.Roles;

public sealed record ApprovedOutput(Phase Phase, string Content);

public sealed record ChatTurn(MessageAuthor Author, string Content);

public sealed record RoleRequest(
    AiRole Role, Phase Phase, int Attempt, string BuildTitle, string Requirements,
    RolePrompt Prompt,
    IReadOnlyList<ApprovedOutput> ApprovedOutputs,
    IReadOnlyList<ChatTurn> History,
    string? Feedback);

public sealed record RoleRunResult(IReadOnlyList<ChatTurn> MessagesSent, RoleRunOutcome Outcome);

public interface IRoleRunner
{
    Task<RoleRunResult> RunAsync(RoleRequest request, Func<string, ValueTask>? onDelta, CancellationToken cancellationToken);
}

public sealed class ModelCallFailedException(string message, Exception? inner = null) : Exception(message, inner);
