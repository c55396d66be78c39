namespace AiStudio.Core.Projects;

/// <summary>A team's space: builds belong to a project and are seen only by its members.</summary>
public sealed class Project
{
    public const int NameMaxLength = 100;

    private readonly List<ProjectMember> _members = [];

    private Project() { }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public IReadOnlyList<ProjectMember> Members => _members;

    public static Project Create(string name, string ownerId, DateTimeOffset now)
    {
        var project = new Project { Id = Guid.NewGuid(), Name = name.Trim(), CreatedAt = now };
        project._members.Add(new ProjectMember(project.Id, ownerId, ProjectRole.Owner, now));
        return project;
    }
}

public enum ProjectRole
{
    Owner,
    Editor,
    Viewer,
}

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
}
