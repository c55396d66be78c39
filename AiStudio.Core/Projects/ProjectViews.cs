using AiStudio.Core.Builds;

namespace AiStudio.Core.Projects;

/// <param name="Role">The actor's role; null for an admin who is not a member.</param>
public sealed record ProjectSummary(Guid Id, string Name, ProjectRole? Role, int MemberCount, DateTimeOffset CreatedAt);

public sealed record ProjectMemberView(string UserId, string Email, ProjectRole Role, DateTimeOffset AddedAt);

public sealed record ProjectBuildView(Guid Id, string Title, BuildState State, DateTimeOffset UpdatedAt);

/// <param name="Role">The actor's role; null for an admin who is not a member.</param>
/// <param name="CanManage">Whether the actor may manage members and settings (an owner or an admin).</param>
public sealed record ProjectDetails(
    Guid Id,
    string Name,
    int Version,
    ProjectRole? Role,
    bool CanManage,
    ApprovalRules Settings,
    IReadOnlyList<ProjectMemberView> Members,
    IReadOnlyList<ProjectBuildView> Builds,
    DateTimeOffset CreatedAt)
{
    public const int BuildLimit = 200;
}
