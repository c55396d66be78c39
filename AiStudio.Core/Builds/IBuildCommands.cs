using AiStudio.Core.Common;

namespace AiStudio.Core.Builds;

/// <summary>
/// What people do to builds. Each call checks that the actor may see and decide on the build, applies
/// the change through the domain, and writes the audit event in the same transaction.
/// Every call that changes an existing build takes the version the person saw: a newer one means
/// someone else acted first, and the call fails with <see cref="ConcurrencyConflictException"/>.
/// </summary>
public interface IBuildCommands
{
    Task<Guid> StartAsync(Actor actor, NewBuildRequest request, CancellationToken cancellationToken = default);

    Task DecideAsync(Actor actor, Guid buildId, Guid runId, int expectedVersion, Verdict verdict, CancellationToken cancellationToken = default);

    Task ApproveAsync(Actor actor, Guid buildId, Guid runId, int expectedVersion, CancellationToken cancellationToken = default) =>
        DecideAsync(actor, buildId, runId, expectedVersion, new Verdict.Approve(), cancellationToken);

    Task PauseAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken = default);

    Task ResumeAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken = default);

    Task CancelAsync(Actor actor, Guid buildId, int expectedVersion, string reason, CancellationToken cancellationToken = default);

    Task RetryAsync(Actor actor, Guid buildId, int expectedVersion, CancellationToken cancellationToken = default);
}

public interface IBuildQueries
{
    Task<IReadOnlyList<BuildCard>> GetBoardAsync(Actor actor, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> GetProjectNamesAsync(Actor actor, CancellationToken cancellationToken = default);

    /// <summary>The projects whose builds the actor sees on the board; null for an admin, who sees every project's.</summary>
    Task<IReadOnlySet<Guid>?> GetVisibleProjectIdsAsync(Actor actor, CancellationToken cancellationToken = default);

    /// <returns>Null when the build does not exist or the actor may not see it.</returns>
    Task<BuildDetails?> GetAsync(Actor actor, Guid buildId, CancellationToken cancellationToken = default);

    Task<RunInspection?> InspectRunAsync(Actor actor, Guid buildId, Guid runId, CancellationToken cancellationToken = default);
}
