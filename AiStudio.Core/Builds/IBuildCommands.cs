using AiStudio.Core.Common;

namespace AiStudio.Core.Builds;

/// <summary>What people do to builds. Each call checks access, changes state and audits in one transaction.</summary>
public interface IBuildCommands
{
    Task<Guid> StartAsync(Actor actor, NewBuildRequest request, CancellationToken cancellationToken = default);

    /// <param name="expectedVersion">The build version the person saw; a newer one means someone else acted first.</param>
    Task ApproveAsync(Actor actor, Guid buildId, Guid runId, int expectedVersion, CancellationToken cancellationToken = default);
}

public interface IBuildQueries
{
    Task<IReadOnlyList<BuildCard>> GetBoardAsync(Actor actor, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> GetProjectNamesAsync(Actor actor, CancellationToken cancellationToken = default);

    /// <returns>Null when the build does not exist or the actor may not see it.</returns>
    Task<BuildDetails?> GetAsync(Actor actor, Guid buildId, CancellationToken cancellationToken = default);

    Task<RunInspection?> InspectRunAsync(Actor actor, Guid buildId, Guid runId, CancellationToken cancellationToken = default);
}
