namespace AiStudio.Core.Projects;

public sealed class ProjectMember
{
    private ProjectMember() { }

    internal ProjectMember(Guid projectId, string userId, ProjectRole role, DateTimeOffset now)
    {
        ProjectId = projectId;
        UserId = userId;
        Role = role;
        AddedAt = now;
    }

    public Guid ProjectId { get; private set; }
    public string UserId { get; private set; } = "";
    public ProjectRole Role { get; private set; }
    public DateTimeOffset AddedAt { get; private set; }

    // Only through Project.ChangeRole, which keeps the last owner.
    internal void ChangeRole(ProjectRole role) => Role = role;
}
