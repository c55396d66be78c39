using AiStudio.Core.Builds;
using AiStudio.Core.Roles;
using Microsoft.Extensions.Logging;

namespace AiStudio.Core.Observability;

/// <summary>
/// The phase-run lifecycle as structured log entries with BuildId, PhaseRunId, Phase and Role properties. Generated
/// loggers box nothing while their level is off, which matters on the execution path.
/// </summary>
internal static partial class PhaseRunLog
{
    private static readonly Func<ILogger, Guid, Guid, Phase, AiRole, IDisposable?> RunScope =
        LoggerMessage.DefineScope<Guid, Guid, Phase, AiRole>("Build {BuildId} phase run {PhaseRunId} ({Phase}, {Role})");

    /// <summary>Every entry logged inside, by the executor or the role runner, carries the run's ids.</summary>
    public static IDisposable? BeginRun(this ILogger logger, Guid buildId, Guid runId, RoleRequest request) =>
        RunScope(logger, buildId, runId, request.Phase, request.Role);

    [LoggerMessage(Level = LogLevel.Information, Message = "Phase run {PhaseRunId} claimed: build {BuildId}, {Phase} attempt {Attempt} by {Role}")]
    public static partial void Claimed(this ILogger logger, Guid phaseRunId, Guid buildId, Phase phase, int attempt, AiRole role);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Phase run {PhaseRunId} of build {BuildId} succeeded: {Phase} by {Role} on {Provider} model {Model}, {InputTokens} in, {OutputTokens} out")]
    public static partial void Succeeded(
        this ILogger logger, Guid phaseRunId, Guid buildId, Phase phase, AiRole role, string provider, string model, int inputTokens, int outputTokens);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Phase run {PhaseRunId} of build {BuildId} failed ({Phase}, {Role}): {Error}")]
    public static partial void Failed(this ILogger logger, Guid phaseRunId, Guid buildId, Phase phase, AiRole role, string error);
}
