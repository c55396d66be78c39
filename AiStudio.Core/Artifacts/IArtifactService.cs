using AiStudio.Core.Common;

namespace AiStudio.Core.Artifacts;

/// <summary>
/// The downloadable files of builds. Every call checks that the actor may see the build, as the build
/// queries do; a build they may not see answers null, exactly as one that does not exist.
/// </summary>
public interface IArtifactService
{
    /// <returns>The files of that attempt (none while it has no output), or null when not found or not visible.</returns>
    Task<PhaseArtifacts?> GetPhaseArtifactsAsync(Actor actor, Guid buildId, Guid runId, CancellationToken cancellationToken = default);

    /// <returns>A zip of the build's approved artifacts and its decision record, or null when not found or not visible.</returns>
    Task<ArtifactFile?> ExportBuildAsync(Actor actor, Guid buildId, CancellationToken cancellationToken = default);
}
