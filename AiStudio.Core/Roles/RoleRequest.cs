using AiStudio.Core.Builds;

namespace AiStudio.Core.Roles;

public sealed record ApprovedOutput(Phase Phase, string Content);

public sealed record ChatTurn(MessageAuthor Author, string Content);

public sealed record RoleRequest(
    AiRole Role,
    Phase Phase,
    int Attempt,
    string BuildTitle,
    string Requirements,
    RolePrompt Prompt,
    IReadOnlyList<ApprovedOutput> ApprovedOutputs,
    IReadOnlyList<ChatTurn> History,
    string? Feedback);

public sealed record RoleRunResult(IReadOnlyList<ChatTurn> MessagesSent, RoleRunOutcome Outcome);

public interface IRoleRunner
{
    /// <summary>
    /// Sends the role's chat history to the model configured for the role and streams the answer.
    /// </summary>
    /// <param name="onDelta">Called with each piece of text as it arrives, in order.</param>
    /// <param name="onRestart">
    /// Called when a stream that had already delivered text broke and the call starts again from the beginning:
    /// the text given to <paramref name="onDelta"/> so far is void, and the answer arrives again from its start.
    /// </param>
    /// <exception cref="ModelCallFailedException">The model provider failed or could not be reached.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<RoleRunResult> RunAsync(
        RoleRequest request, Func<string, ValueTask>? onDelta, CancellationToken cancellationToken, Func<ValueTask>? onRestart = null);
}

/// <summary>
/// The model provider failed. <see cref="Exception.Message"/> is in plain words a person can act on,
/// for example "The model server at X answered 401 Unauthorized: ...".
/// </summary>
public sealed class ModelCallFailedException(string message, Exception? inner = null) : Exception(message, inner);
