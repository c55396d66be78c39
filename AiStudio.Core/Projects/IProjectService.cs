using AiStudio.Core.Builds;
using AiStudio.Core.Common;

namespace AiStudio.Core.Projects;

/// <summary>
/// Projects and their members. Every call checks the actor's membership and role (or admin) itself: a project
/// the actor is not a member of is reported as not found, never as forbidden. Every change is audited in the
/// same transaction and takes the version the person saw (<see cref="ConcurrencyConflictException"/> when stale).
/// </summary>
public interface IProjectService
{
    /// <returns>The new project's id; the actor is its owner.</returns>
    Task<Guid> CreateAsync(Actor actor, string name, CancellationToken cancellationToken = default);

    /// <summary>The projects the actor is a member of.</summary>
    Task<IReadOnlyList<ProjectSummary>> ListAsync(Actor actor, CancellationToken cancellationToken = default);

    /// <returns>Null when the project does not exist or the actor is not a member (and not an admin).</returns>
    Task<ProjectDetails?> GetAsync(Actor actor, Guid projectId, CancellationToken cancellationToken = default);

    /// <summary>Adds the person who has an account with <paramref name="email"/>; owners and admins only.</summary>
    Task AddMemberAsync(Actor actor, Guid projectId, int expectedVersion, string email, ProjectRole role, CancellationToken cancellationToken = default);

    Task ChangeRoleAsync(Actor actor, Guid projectId, int expectedVersion, string userId, ProjectRole role, CancellationToken cancellationToken = default);

    Task RemoveMemberAsync(Actor actor, Guid projectId, int expectedVersion, string userId, CancellationToken cancellationToken = default);

    Task UpdateSettingsAsync(Actor actor, Guid projectId, int expectedVersion, ApprovalRules settings, CancellationToken cancellationToken = default);
}
